import "server-only";
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** Honours `.env` in the working directory; variables already set in the environment win. */
export function loadEnvFile(path = ".env"): void {
  if (!existsSync(path)) return;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(path, "utf8")))) {
    if (process.env[k] === undefined) process.env[k] = v;
  }
}
