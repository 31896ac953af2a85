import "server-only";
/** Imported captures in PostgreSQL: the same table and meaning as lib/store/sqlite/captures.ts. */
import type pg from "pg";
import { capturesMigration, toCaptureRecord, type CaptureRecord, type CaptureRow, type CaptureStore } from "../captures";

/** Appended to the PostgreSQL MIGRATIONS list. */
export const PG_CAPTURES_MIGRATION = capturesMigration({ int: "BIGINT" });

export class PgCaptures implements CaptureStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(r: CaptureRecord): Promise<void> {
    await this.pool.query(`INSERT INTO captures (id, name, created_at, created_by, bytes, summary) VALUES ($1, $2, $3, $4, $5, $6)`, [r.id, r.name, r.createdAt, r.createdBy, r.bytes, r.summary]);
  }

  async list(): Promise<CaptureRecord[]> {
    const { rows } = await this.pool.query<CaptureRow>(`SELECT * FROM captures ORDER BY created_at DESC, id DESC`);
    return rows.map(toCaptureRecord);
  }

  async get(id: string): Promise<CaptureRecord | null> {
    const { rows } = await this.pool.query<CaptureRow>(`SELECT * FROM captures WHERE id = $1`, [id]);
    return rows[0] ? toCaptureRecord(rows[0]) : null;
  }

  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM captures WHERE id = $1`, [id]);
    return rowCount === 1;
  }
}
