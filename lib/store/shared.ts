import "server-only";
/**
 * One store per DATABASE_URL per process. The server entry and the route handlers Next bundles
 * load separate copies of this module in one process, so the instance lives on globalThis.
 */
import { openStore } from "./open";
import type { Store } from "./types";

const KEY = Symbol.for("fleetscope.store");

export function sharedStore(databaseUrl: string): Store {
  const g = globalThis as { [KEY]?: Map<string, Store> };
  const stores = (g[KEY] ??= new Map());
  let store = stores.get(databaseUrl);
  if (!store) {
    store = openStore(databaseUrl);
    const close = store.close.bind(store);
    store.close = async () => {
      stores.delete(databaseUrl);
      await close();
    };
    stores.set(databaseUrl, store);
  }
  return store;
}
