import "server-only";
/**
 * One store per DATABASE_URL per process. The server entry and the route handlers Next bundles
 * load separate copies of this module in one process, so the instance lives on globalThis.
 */
import { openStore } from "./open";
import type { Store } from "./types";
import { processSingleton } from "../process/singleton";

export function sharedStore(databaseUrl: string): Promise<Store> {
  const stores = processSingleton("store", () => new Map<string, Promise<Store>>());
  let opening = stores.get(databaseUrl);
  if (!opening) {
    opening = openStore(databaseUrl).then((store) => {
      const close = store.close.bind(store);
      store.close = async () => {
        stores.delete(databaseUrl);
        await close();
      };
      return store;
    });
    // A failed open is not cached: the next request tries again (the database may be back).
    opening.catch(() => stores.delete(databaseUrl));
    stores.set(databaseUrl, opening);
  }
  return opening;
}
