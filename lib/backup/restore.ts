import "server-only";
/**
 * `npm run restore -- <file>` (bin/restore.ts): puts a backup's files (lib/backup/format.ts) where
 * this configuration's server reads them (plan.ts), only while no server runs on them.
 *
 * A live server is told by the locks it holds, which the system drops with its process, so a crash
 * leaves nothing stale behind (sqlite-files.ts `lockState`): the broker holds its file's exclusive
 * lock, the store's and the spool's connections a shared lock on theirs. A server that answers on
 * the broker's backup socket counts as running too.
 *
 * Nothing is replaced until every entry has been written beside its destination and checked (its
 * SHA-256, then SQLite's quick_check and the table it must have); then each file is renamed over its
 * destination, after any -wal and -shm of the file it replaces are removed (a log left beside a new
 * database would be replayed into it). The file it replaces stays, as a hard link named
 * `<file>.before-restore-<time>`. Each rename is atomic; the two or three of them are not one.
 */
import { existsSync, linkSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { extractEntry, readBackupHeader, syncFolder, tempBeside } from "./archive";
import { backupSocketPath, brokerServerAnswers } from "../broker/backup-socket";
import { megabytes, type EntryName, type Manifest } from "./format";
import { restorePlan, type BackupConfig } from "./plan";
import { databaseProblem, lockState } from "./sqlite-files";

/** Why a restore did not happen; `notABackup` when the file itself is the problem. */
export class RestoreRefused extends Error {
  constructor(
    message: string,
    readonly notABackup = false,
  ) {
    super(message);
  }
}

/** A table each entry's database must have, so a backup of something else is not restored as it. */
const TABLE: Record<EntryName, string> = { store: "messages", broker: "retained", spool: "spool" };

export interface RestoreReport {
  manifest: Manifest;
  lines: string[];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:.]/g, "");

export async function restoreBackup(config: BackupConfig, file: string, now = Date.now()): Promise<RestoreReport> {
  if (!existsSync(file)) throw new RestoreRefused(`there is no file ${file}`, true);
  const header = await readBackupHeader(file);
  if (!header.ok) throw new RestoreRefused(`${file}: ${header.problem}`, true);
  const plan = restorePlan(header.manifest, config, file);
  if (!plan.ok) throw new RestoreRefused(plan.problem);

  const live: string[] = [];
  for (const t of plan.targets) if (existsSync(t.file) && lockState(t.file) === "held") live.push(`${t.file} is open in a running process`);
  const socket = backupSocketPath(config.brokerPersistenceFile);
  if (await brokerServerAnswers(socket)) live.push(`a server answers on ${socket}`);
  if (live.length) throw new RestoreRefused(`refusing to restore over a running server: ${live.join("; ")}. Stop it (Ctrl-C or SIGTERM), then run restore again`);

  const staged: { target: (typeof plan.targets)[number]; temp: string; bytes: number }[] = [];
  try {
    for (const target of plan.targets) {
      const entry = header.entries.find((e) => e.name === target.name)!;
      mkdirSync(dirname(target.file), { recursive: true });
      const temp = tempBeside(target.file, "restore");
      staged.push({ target, temp, bytes: entry.bytes });
      try {
        await extractEntry(file, entry, temp);
      } catch (err) {
        throw new RestoreRefused(`${file}: ${(err as Error).message}`, true);
      }
      const problem = databaseProblem(temp, TABLE[target.name]);
      if (problem) throw new RestoreRefused(`${file}: its ${target.name} entry is not a sound ${target.name} database: ${problem}`, true);
    }
  } catch (err) {
    for (const s of staged) rmSync(s.temp, { force: true });
    throw err;
  }

  const lines: string[] = [`backup of ${new Date(header.manifest.createdAt).toISOString()}`];
  for (const { target, temp, bytes } of staged) {
    let kept: string | null = null;
    if (existsSync(target.file)) {
      kept = `${target.file}.before-restore-${stamp(now)}`;
      linkSync(target.file, kept);
    }
    for (const side of ["-wal", "-shm", "-journal"]) rmSync(`${target.file}${side}`, { force: true });
    renameSync(temp, target.file);
    await syncFolder(dirname(target.file));
    lines.push(`${target.name.padEnd(7)}→ ${target.file}: ${megabytes(bytes)}${kept ? `; the file it replaced is kept as ${kept}` : ""}${target.note ? ` (${target.note})` : ""}`);
  }
  if (plan.pgRestore) {
    lines.push("store  PostgreSQL is not in this file; restore its pg_dump with (the password is shown as ***: put it back, or set PGPASSWORD):");
    lines.push(`  ${plan.pgRestore}`);
  }
  return { manifest: header.manifest, lines };
}
