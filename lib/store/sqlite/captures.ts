import "server-only";
/** Imported captures in SQLite, on the store's reading connection (a row per import: no writer thread needed). */
import type Database from "better-sqlite3";
import { capturesMigration, toCaptureRecord, type CaptureRecord, type CaptureRow, type CaptureStore } from "../captures";

/** Appended to the SQLite MIGRATIONS list. */
export const SQLITE_CAPTURES_MIGRATION = capturesMigration({ int: "INTEGER" });

export class SqliteCaptures implements CaptureStore {
  constructor(private readonly db: Database.Database) {}

  async save(r: CaptureRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO captures (id, name, created_at, created_by, bytes, summary) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(r.id, r.name, r.createdAt, r.createdBy, r.bytes, r.summary);
  }

  async list(): Promise<CaptureRecord[]> {
    return this.db.prepare<[], CaptureRow>(`SELECT * FROM captures ORDER BY created_at DESC, id DESC`).all().map(toCaptureRecord);
  }

  async get(id: string): Promise<CaptureRecord | null> {
    const r = this.db.prepare<[string], CaptureRow>(`SELECT * FROM captures WHERE id = ?`).get(id);
    return r ? toCaptureRecord(r) : null;
  }

  async remove(id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM captures WHERE id = ?`).run(id).changes === 1;
  }
}
