/**
 * The imported packet captures part of the store: each capture's summary, who imported it and
 * when. The capture's own bytes and its decoded packets are files (lib/captures/files.ts) the row
 * names by id; the store keeps what a listing shows. Both implementations (sqlite/captures.ts,
 * postgres/captures.ts) pass test/captures.contract.ts.
 */

export interface CaptureRecord {
  /** URL-safe, made by the server. */
  id: string;
  /** The file's name as uploaded, or the interface a live capture ran on. */
  name: string;
  createdAt: number;
  createdBy: string;
  bytes: number;
  /** The import's summary (lib/captures/summary.ts), as JSON text. */
  summary: string;
}

export interface CaptureStore {
  save(record: CaptureRecord): Promise<void>;
  /** Newest first. */
  list(): Promise<CaptureRecord[]>;
  get(id: string): Promise<CaptureRecord | null>;
  /** False when there is no such capture. */
  remove(id: string): Promise<boolean>;
}

export function capturesMigration(t: { int: string }): string {
  return `CREATE TABLE captures (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at ${t.int} NOT NULL, created_by TEXT NOT NULL, bytes ${t.int} NOT NULL, summary TEXT NOT NULL
   );
   CREATE INDEX captures_created ON captures (created_at);`;
}

export interface CaptureRow {
  id: string;
  name: string;
  created_at: number | string;
  created_by: string;
  bytes: number | string;
  summary: string;
}

/** PostgreSQL hands BIGINT back as text. */
export const toCaptureRecord = (r: CaptureRow): CaptureRecord => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), createdBy: r.created_by, bytes: Number(r.bytes), summary: r.summary });
