import "server-only";
import { ConfigError } from "../config/env";
import { SqliteStore, sqlitePathFromUrl } from "./sqlite";
import type { Store } from "./types";

/** Opens the store DATABASE_URL names and runs its migrations. */
export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith("file:")) return new SqliteStore(sqlitePathFromUrl(databaseUrl));
  throw new ConfigError("DATABASE_URL", "the PostgreSQL store is not built yet; use file:<path> for now");
}
