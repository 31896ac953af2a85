import "server-only";
import { PostgresStore } from "./postgres/store";
import { SqliteStore, sqlitePathFromUrl } from "./sqlite/store";
import type { Store } from "./types";

/** Opens the store DATABASE_URL names (already validated) and runs its migrations. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith("file:")) return new SqliteStore(sqlitePathFromUrl(databaseUrl));
  return PostgresStore.open({ connectionString: databaseUrl });
}
