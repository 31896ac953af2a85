import "server-only";
/**
 * Writes a batch's samples into the SQLite `points` table several rows per statement: each
 * statement run costs a bind-and-step round trip through better-sqlite3, and a telemetry message
 * carries many samples. 64 rows a statement writes a sample in about half the time one row does;
 * larger statements gain nothing more.
 */
import type Database from "better-sqlite3";

const ROWS_PER_STATEMENT = 64;
const COLUMNS = 4;

const insertSql = (rows: number) => `INSERT OR IGNORE INTO points (series, ts, msg, value) VALUES ${Array(rows).fill("(?, ?, ?, ?)").join(", ")}`;

export class PointsWriter {
  private readonly many;
  private readonly one;
  private readonly params: (number | bigint)[] = [];

  constructor(db: Database.Database) {
    this.many = db.prepare(insertSql(ROWS_PER_STATEMENT));
    this.one = db.prepare(insertSql(1));
  }

  /** Queues one point; written by the time `flush` returns, inside the caller's transaction. */
  add(series: number, ts: number, msg: number | bigint, value: number): void {
    this.params.push(series, ts, msg, value);
    if (this.params.length === ROWS_PER_STATEMENT * COLUMNS) {
      this.many.run(this.params);
      this.params.length = 0;
    }
  }

  flush(): void {
    const p = this.params;
    for (let i = 0; i < p.length; i += COLUMNS) this.one.run(p[i], p[i + 1], p[i + 2], p[i + 3]);
    p.length = 0;
  }

  /** Forgets queued points (their transaction failed). */
  discard(): void {
    this.params.length = 0;
  }
}
