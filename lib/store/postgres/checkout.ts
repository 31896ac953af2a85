import "server-only";
/**
 * A client checked out of a pool, for work that spans several queries. While a client is checked
 * out, pg's pool no longer listens for its errors, so a server that ends the session between two
 * queries (a restart, pg_terminate_backend, a lost network) raised an uncaught error and took the
 * whole thread down: on the writer's thread, answers for batches already committed went with it,
 * and the bridge stored those again as duplicates. Here the error is kept instead: the next query
 * fails with it, and the broken client is discarded rather than returned to the pool.
 */
import type pg from "pg";

export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on("error", onError);
  try {
    return await fn(client);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** `fn` in one transaction: committed when it returns, rolled back when it throws. */
export function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    try {
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}
