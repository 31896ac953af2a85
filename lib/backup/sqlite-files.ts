import "server-only";
/**
 * SQLite files as backup and restore handle them, from outside the process that writes them:
 * copied with SQLite's online backup API, checked, and asked whether a live process holds them.
 */
import Database from "better-sqlite3";

/** Pages per step when nothing else writes: all of them (better-sqlite3 caps a step at this). */
const ALL_PAGES = 0x7fffffff;

const codeOf = (err: unknown) => (err as { code?: string }).code;
const isBusy = (err: unknown) => codeOf(err) === "SQLITE_BUSY" || codeOf(err) === "SQLITE_LOCKED";

/**
 * A consistent copy of a WAL database that another process is writing (the store, the spool):
 * SQLite's online backup API in one step, so the copy is one read transaction's snapshot. In
 * smaller steps, each write by the other process between two steps starts the copy over, and
 * under steady ingest it might never end; a reader blocks no writer in WAL mode (the log grows
 * until the copy is done). Returns the pages copied.
 */
export async function copyLiveDatabase(source: string, destination: string): Promise<number> {
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    const done = await db.backup(destination, { progress: () => ALL_PAGES });
    return done.totalPages;
  } finally {
    db.close();
  }
}

export class HeldByAnotherProcess extends Error {
  constructor(readonly file: string) {
    super(`${file} is held by another process`);
  }
}

/**
 * A copy of a database no live process may hold (the broker's file when no server runs): this
 * connection takes the file's exclusive lock first, so a server starting meanwhile waits for it.
 * Throws HeldByAnotherProcess when a process holds it.
 */
export async function copyIdleDatabase(source: string, destination: string): Promise<number> {
  const db = new Database(source, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    try {
      db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (err) {
      if (isBusy(err)) throw new HeldByAnotherProcess(source);
      throw err;
    }
    const done = await db.backup(destination, { progress: () => ALL_PAGES });
    return done.totalPages;
  } finally {
    db.close();
  }
}

/**
 * Whether a live process has the database open, from its locks, which the system drops with the
 * process however it ends (so nothing here can go stale, as a pid file could): a connection in
 * EXCLUSIVE locking mode needs the file's exclusive lock to read it, and cannot get it while any
 * other connection has the file open. The embedded broker holds its file's exclusive lock for its
 * whole life (lib/broker/persistence/schema.ts); a WAL connection (the store's reader and writer,
 * the bridge's spool) holds a shared lock from its first read until it closes.
 *
 * "free" means nothing held it at that instant; closing this probe's connection also folds the
 * file's write-ahead log back into it, so the file is whole on its own afterwards.
 */
export function lockState(file: string): "held" | "free" | "not-sqlite" {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch (err) {
    if (isBusy(err)) return "held";
    return "not-sqlite";
  }
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return "free";
  } catch (err) {
    return isBusy(err) ? "held" : "not-sqlite";
  } finally {
    db.close();
  }
}

/**
 * Why the file is not a sound database with `table` in it (SQLite's quick_check, which reads every
 * page), or null when it is. Opened in EXCLUSIVE locking mode, so no -shm file is made beside it.
 */
export function databaseProblem(file: string, table: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma("locking_mode = EXCLUSIVE");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") return `SQLite's quick_check says: ${String(check)}`;
    const found = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    return found?.n ? null : `it has no ${table} table`;
  } catch (err) {
    return `it is not a SQLite database (${(err as Error).message})`;
  } finally {
    db?.close();
  }
}
