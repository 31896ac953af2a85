/**
 * `npm run backup -- <file>`: a consistent copy of the SQLite store, the embedded broker's file and
 * the bridge's spool, taken while the server runs (or not), in one file (lib/backup/backup.ts). With
 * a PostgreSQL store it backs up the broker's file and prints the pg_dump line for the rest.
 * Exits 0 when the file is written, 1 when it could not be, 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { configOrExit } from "../lib/config/from-process";
import { BackupRefused, takeBackup } from "../lib/backup/backup";
import { megabytes } from "../lib/backup/format";

const USAGE = "usage: npm run backup -- <file>\n";
const { values, positionals } = parseArgs({ options: { help: { type: "boolean" } }, allowPositionals: true });
if (values.help || positionals.length !== 1) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const config = configOrExit();
const out = positionals[0]!;
try {
  const { manifest, lines } = await takeBackup(config, out);
  const bytes = manifest.entries.reduce((n, e) => n + e.bytes, 0);
  process.stdout.write(`${lines.map((l) => `fleetscope backup: ${l}`).join("\n")}\nfleetscope backup: wrote ${out} (${megabytes(bytes)}); restore it with: npm run restore -- ${out}\n`);
} catch (err) {
  process.stderr.write(`fleetscope backup: ${err instanceof BackupRefused ? "" : "failed: "}${(err as Error).message}\n`);
  process.exit(1);
}
