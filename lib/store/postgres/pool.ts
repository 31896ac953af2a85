import "server-only";
/**
 * The connection pool both sides of the PostgreSQL store open on their schema: the read side on
 * this thread (store.ts), the write side on the writer thread (writer.ts).
 */
import pg from "pg";

export interface PgTarget {
  connectionString: string;
  /** Already validated as a plain identifier by the store. */
  schema: string;
}

/** A pool for `target`'s schema that survives its server going away (the next query reports it). */
export function schemaPool(target: PgTarget, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: target.connectionString, max, options: `-c search_path=${target.schema}` });
  pool.on("error", () => undefined);
  return pool;
}
