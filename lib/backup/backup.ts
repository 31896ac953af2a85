import "server-only";
/**
 * `npm run backup -- <file>` (bin/backup.ts): a consistent copy of a server's files, taken while
 * it runs, in one backup file (lib/backup/format.ts). Which files, and in which order: plan.ts.
 *
 * - the broker's file, copied by the running server on request (broker-socket.ts says why), or by
 *   this process when no server runs;
 * - the bridge's spool and the SQLite store, copied by this process with SQLite's online backup
 *   API (sqlite-files.ts): they are WAL databases other processes may read while the server writes;
 * - a PostgreSQL store is not in the file: the report gives the pg_dump line to take it.
 */
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { writeBackup } from "./archive";
import { requestBrokerBackup } from "../broker/backup-socket";
import { BACKUP_VERSION, megabytes, type EntryName, type Manifest } from "./format";
import { backupSources, type BackupConfig } from "./plan";
import { copyIdleDatabase, copyLiveDatabase, HeldByAnotherProcess } from "./sqlite-files";

/** A backup that cannot be taken, for a reason the person who asked can act on. */
export class BackupRefused extends Error {}

export interface BackupReport {
  manifest: Manifest;
  /** What was copied and how, one line each, to print. */
  lines: string[];
}

export async function takeBackup(config: BackupConfig, out: string): Promise<BackupReport> {
  const sources = backupSources(config, out);
  const inputs = [sources.store.kind === "sqlite" ? sources.store.file : null, sources.broker.kind === "file" ? sources.broker.file : null, sources.spool];
  const target = resolve(out);
  for (const f of inputs) {
    if (f && [f, `${f}-wal`, `${f}-shm`].some((x) => resolve(x) === target)) throw new BackupRefused(`${out} is one of the files it would back up: give the backup a name of its own`);
  }
  if (!existsSync(dirname(target))) throw new BackupRefused(`there is no folder ${dirname(out)} to write ${basename(out)} in`);

  // The parts wait beside the output, on its file system, until they are joined into it.
  const work = await mkdtemp(join(dirname(target), `.${basename(target)}.parts-`));
  try {
    const parts: { name: EntryName; file: string }[] = [];
    const lines: string[] = [];
    const add = (name: EntryName, file: string, how: string, bytes: number) => {
      parts.push({ name, file });
      lines.push(`${name.padEnd(7)}${how}: ${megabytes(bytes)}`);
    };

    if (sources.broker.kind === "file") {
      const { file, socket } = sources.broker;
      const copy = join(work, "broker.db");
      const asked = await requestBrokerBackup(socket, copy);
      if (asked.kind === "copied") add("broker", copy, `${file}, copied by the running server`, asked.bytes);
      else if (!existsSync(file)) lines.push(`broker none yet: ${file} does not exist`);
      else {
        try {
          await copyIdleDatabase(file, copy);
        } catch (err) {
          if (!(err instanceof HeldByAnotherProcess)) throw err;
          throw new BackupRefused(`a running broker holds ${file}, but no server answered on ${socket} (${asked.why}); its start-up output says why. Stop it, or back up with that server's own version`);
        }
        add("broker", copy, `${file}, no server running`, statSync(copy).size);
      }
    } else {
      lines.push(`broker not included: ${sources.broker.why}`);
    }

    if (existsSync(sources.spool)) {
      const copy = join(work, "spool.db");
      await copyLiveDatabase(sources.spool, copy);
      add("spool", copy, sources.spool, statSync(copy).size);
    }

    if (sources.store.kind === "sqlite") {
      const { file } = sources.store;
      if (!existsSync(file)) throw new BackupRefused(`there is no store at ${file} (DATABASE_URL): nothing to back up`);
      const copy = join(work, "store.db");
      await copyLiveDatabase(file, copy);
      add("store", copy, file, statSync(copy).size);
    } else {
      lines.push("store  PostgreSQL is not in this file; take it with pg_dump (the password is shown as ***: put it back, or set PGPASSWORD):");
      lines.push(`  ${sources.store.dump}`);
    }
    if (parts.length === 0) throw new BackupRefused(`nothing to back up:\n${lines.join("\n")}`);

    const manifest = await writeBackup(target, { version: BACKUP_VERSION, createdAt: Date.now(), store: { kind: sources.store.kind }, bridgeId: config.bridgeId }, parts);
    return { manifest, lines };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
