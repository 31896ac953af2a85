import "server-only";
/**
 * One store per DATABASE_URL per process. The server entry and the route handlers Next bundles
 * load separate copies of this module in one process, so the instance lives on globalThis.
 */
import { openStore } from "./open";
import type { Store } from "./types";

const KEY = Symbol.for("fleetscope.store");

export function sharedStore(databaseUrl: string): Promise<Store> {
  const g = globalThis as { [KEY]?: Map<string, Promise<Store>> };
  const stores = (g[KEY] ??= new Map());
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
