import "server-only";
/** What route handlers need from the process: the validated configuration and the store. */
import { parseConfig, type Config } from "../config/env";
import { sharedStore } from "../store/shared";
import type { Store } from "../store/types";

let config: Config | null = null;

export function serverConfig(): Config {
  return (config ??= parseConfig(process.env));
}

export function store(): Promise<Store> {
  return sharedStore(serverConfig().databaseUrl);
}
