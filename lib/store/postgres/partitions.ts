import "server-only";
/**
 * Daily range partitions of the PostgreSQL store's time-series tables (messages, points), made
 * on demand before a batch writes into a new day, and dropped whole by retention: dropping a
 * day's partition costs the same however many rows it holds, and never blocks ingest.
 */
import type pg from "pg";
import { inTransaction } from "./checkout";

export const PARTITIONED = ["messages", "points"] as const;
export const DAY_MS = 24 * 3_600_000;

/** `messages_d20261125` for the day holding `ts`. */
export function partitionName(table: string, ts: number): string {
  const d = new Date(Math.floor(ts / DAY_MS) * DAY_MS);
  return `${table}_d${d.toISOString().slice(0, 10).replace(/-/g, "")}`;
}

/** The first instant after the partition named `name`, or null for a name that is not ours. */
export function partitionEnd(name: string): number | null {
  const m = /_d(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY_MS : null;
}

export class Partitions {
  /** Days known to have partitions, by first instant. */
  private readonly known = new Set<number>();

  constructor(private readonly pool: pg.Pool) {}

  /** Makes sure every day touched by `timestamps` has its partitions. */
  async ensure(timestamps: Iterable<number>): Promise<void> {
    const days = new Set<number>();
    for (const ts of timestamps) {
      const day = Math.floor(ts / DAY_MS) * DAY_MS;
      if (!this.known.has(day)) days.add(day);
    }
    for (const day of days) {
      for (const table of PARTITIONED) await this.create(table, day);
      this.known.add(day);
    }
  }

  /**
   * Creates one day's partition. Rows of that day already in the default partition (from the
   * migration to partitions, or a clock jump) move into it in the same transaction, since
   * PostgreSQL refuses a partition whose rows the default partition holds.
   */
  private async create(table: string, day: number): Promise<void> {
    const name = partitionName(table, day);
    try {
      await inTransaction(this.pool, async (client) => {
        const exists = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1", [name]);
        if (exists.rowCount !== 0) return;
        await client.query(
          `CREATE TEMP TABLE moved ON COMMIT DROP AS
           WITH d AS (DELETE FROM ${table}_default WHERE ts >= ${day} AND ts < ${day + DAY_MS} RETURNING *) SELECT * FROM d`,
        );
        await client.query(`CREATE TABLE ${name} PARTITION OF ${table} FOR VALUES FROM (${day}) TO (${day + DAY_MS})`);
        await client.query(`INSERT INTO ${table} SELECT * FROM moved`);
      });
    } catch (err) {
      // Another bridge made it at the same moment: it exists, as wanted.
      if ((err as { code?: string }).code !== "42P07") throw err;
    }
  }

  /** Drops every daily partition wholly before `before`; returns how many. */
  async dropBefore(before: number): Promise<number> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = current_schema() AND p.relname = ANY($1)`,
      [[...PARTITIONED]],
    );
    let dropped = 0;
    for (const { name } of rows) {
      const end = partitionEnd(name);
      if (end === null || end > before) continue;
      await this.pool.query(`DROP TABLE IF EXISTS ${name}`);
      this.known.delete(end - DAY_MS);
      dropped++;
    }
    return dropped;
  }
}
