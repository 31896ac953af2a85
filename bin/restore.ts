/**
 * `npm run restore -- <file>`: puts a backup made by `npm run backup` where this configuration's
 * server reads its files (DATABASE_URL, the broker's file beside it, the bridge's spool), and
 * refuses while a server runs on them (lib/backup/restore.ts says how it tells).
 * Exits 0 when restored, 1 when refused or failed, 2 on a usage error or a file that is not a backup.
 */
import { parseArgs } from "node:util";
import { configOrExit } from "../lib/config/from-process";
import { restoreBackup, RestoreRefused } from "../lib/backup/restore";

const USAGE = "usage: npm run restore -- <file>   (stop the server first)\n";
const { values, positionals } = parseArgs({ options: { help: { type: "boolean" } }, allowPositionals: true });
if (values.help || positionals.length !== 1) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const config = configOrExit();
const file = positionals[0]!;
try {
  const { lines } = await restoreBackup(config, file);
  process.stdout.write(`${lines.map((l) => `fleetscope restore: ${l}`).join("\n")}\nfleetscope restore: done; start the server with this configuration\n`);
} catch (err) {
  if (err instanceof RestoreRefused) {
    process.stderr.write(`fleetscope restore: ${err.message}\n`);
    process.exit(err.notABackup ? 2 : 1);
  }
  process.stderr.write(`fleetscope restore: failed: ${(err as Error).message}\n`);
  process.exit(1);
}
