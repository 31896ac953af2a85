import "server-only";
import { ConfigError, parseConfig, type Config } from "./env";
import { loadEnvFile } from "./load-env-file";

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
      // A plain line on stderr, not the logger: the bad value may be LOG_LEVEL itself, and this is
      // the process's reason for exiting, for the person who started it.
      process.stderr.write(`fleetscope: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
