import "server-only";
import { ConfigError, parseConfig, type Config } from "./env";
import { loadEnvFile } from "./load-env-file";
import { logger } from "../log/logger";

/**
 * The configuration for an entry point (`npm start`, `npm run bridge`, `npm run sim`): on a bad
 * value prints one line naming the variable and exits, before anything starts.
 */
export function configOrExit(): Config {
  loadEnvFile();
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger("config").fatal(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
