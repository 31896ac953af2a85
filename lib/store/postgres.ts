import "server-only";
/**
 * The PostgreSQL store: the same schema meaning as SQLite (time as integer epoch ms), written
 * with one multi-row INSERT per batch from unnest() arrays. Topics and filters only ever travel
 * as bound parameters.
 */
import pg from "pg";
import type { Device, DeviceId, DeviceStatus, DeviceWithValues, EpochMs } from "../devices/model";
import { filterToRegex } from "../mqtt/topic";
import { decodeCursor, encodeCursor } from "./cursor";
import { payloadForJson } from "./payload-text";
import { HOUR_MS, MINUTE_MS, planSeries, rollup } from "./series-plan";
import type { SeqStream } from "./delivery";
import type { AppendResult, Batch, DeliveryQuery, MessagePage, MessageQuery, MessageRow, QoS, Sample, Series, SeriesQuery, Store } from "./types";

/** Each entry runs once, in order, recorded in schema_migrations. */
const MIGRATIONS: string[] = [
  `CREATE TABLE messages (
     id BIGSERIAL PRIMARY KEY,
     ts BIGINT NOT NULL,
     topic TEXT NOT NULL,
     device TEXT,
     qos SMALLINT NOT NULL,
     retain BOOLEAN NOT NULL,
     dup BOOLEAN NOT NULL,
     seq BIGINT,
     payload BYTEA NOT NULL,
     truncated BOOLEAN NOT NULL DEFAULT false
   );
   CREATE INDEX messages_ts ON messages (ts);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'unknown',
     last_seen BIGINT NOT NULL,
     latest JSONB NOT NULL DEFAULT '{}'
   );`,
  `CREATE TABLE samples (ts BIGINT NOT NULL, device TEXT NOT NULL, field TEXT NOT NULL, value DOUBLE PRECISION NOT NULL);
   CREATE INDEX samples_series ON samples (device, field, ts);
   CREATE TABLE rollup_minute (
     device TEXT NOT NULL, field TEXT NOT NULL, bucket BIGINT NOT NULL,
     lo DOUBLE PRECISION NOT NULL, hi DOUBLE PRECISION NOT NULL, total DOUBLE PRECISION NOT NULL, n BIGINT NOT NULL,
     last DOUBLE PRECISION NOT NULL, last_ts BIGINT NOT NULL,
     PRIMARY KEY (device, field, bucket)
   );
   CREATE TABLE rollup_hour (LIKE rollup_minute INCLUDING ALL);`,
  `ALTER TABLE messages ADD COLUMN ident BIGINT;
   CREATE UNIQUE INDEX messages_ident ON messages (ident) WHERE ident IS NOT NULL;
   CREATE TABLE duplicates (ts BIGINT NOT NULL, topic TEXT NOT NULL, device TEXT, qos SMALLINT NOT NULL, seq BIGINT);
   CREATE INDEX duplicates_device_ts ON duplicates (device, ts);`,
];

const ROLLUPS = [
  ["rollup_minute", MINUTE_MS],
  ["rollup_hour", HOUR_MS],
] as const;

/** Any constant: serialises migrations when several bridges and servers start at once. */
const MIGRATION_LOCK = 0x5f1ee7;

interface DeviceRecord {
  id: string;
  site: string;
  status: string;
  last_seen: string;
  latest: Record<string, { value: number; ts: number }>;
}

function toDevice(r: DeviceRecord): Device {
  return {
    id: r.id as DeviceId,
    site: r.site,
    status: r.status as DeviceStatus,
    lastSeen: Number(r.last_seen) as EpochMs,
    fields: Object.keys(r.latest).sort(),
  };
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** The schema holding Fleetscope's tables (created when missing); `public` by default. */
  schema?: string;
}

export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly schema: string;

  private constructor(opts: PostgresStoreOptions) {
    this.schema = opts.schema ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`schema: ${JSON.stringify(this.schema)} is not a plain lower-case identifier`);
    this.pool = new pg.Pool({ connectionString: opts.connectionString, max: 4, options: `-c search_path=${this.schema}` });
    // An idle client that loses its server must not crash the process; the next query reports it.
    this.pool.on("error", () => undefined);
  }

  /** Connects and runs the migrations; throws with the server's reason when it cannot. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(opts);
    await store.migrate();
    return store;
  }

  private async migrate() {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      const { rows } = await client.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
      for (let v = rows[0]?.v ?? 0; v < MIGRATIONS.length; v++) {
        await client.query("BEGIN");
        await client.query(MIGRATIONS[v]!);
        await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [v + 1]);
        await client.query("COMMIT");
      }
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async append(batch: Batch): Promise<AppendResult> {
    const result: AppendResult = { stored: 0, duplicates: 0 };
    if (batch.messages.length === 0 && batch.devices.length === 0) return result;
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const samples: Sample[] = [];
      if (batch.messages.length > 0) {
        const m = batch.messages;
        const inserted = await client.query<{ ident: string | null }>(
          `INSERT INTO messages (ts, topic, device, qos, retain, dup, seq, payload, truncated, ident)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::boolean[], $6::boolean[], $7::bigint[], $8::bytea[], $9::boolean[], $10::bigint[])
           ON CONFLICT (ident) WHERE ident IS NOT NULL DO NOTHING
           RETURNING ident::text`,
          [
            m.map((r) => r.ts),
            m.map((r) => r.topic),
            m.map((r) => r.device),
            m.map((r) => r.qos),
            m.map((r) => r.retain),
            m.map((r) => r.dup),
            m.map((r) => r.seq),
            m.map((r) => Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength)),
            m.map((r) => r.truncated),
            m.map((r) => (r.ident === null ? null : r.ident.toString())),
          ],
        );
        // Rows without an identity always go in; of those with one, the returned identities did,
        // once each, and every other occurrence was a redelivery.
        const fresh = new Set(inserted.rows.map((r) => r.ident).filter((x): x is string => x !== null));
        const dups: MessageRow[] = [];
        for (const r of m) {
          const key = r.ident === null ? null : r.ident.toString();
          if (key !== null && !fresh.delete(key)) {
            dups.push(r);
            continue;
          }
          result.stored++;
          if (r.device && r.fields) for (const [field, value] of Object.entries(r.fields)) samples.push({ ts: r.ts, device: r.device, field, value });
        }
        result.duplicates = dups.length;
        if (dups.length > 0) {
          await client.query(
            `INSERT INTO duplicates (ts, topic, device, qos, seq) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::bigint[])`,
            [dups.map((r) => r.ts), dups.map((r) => r.topic), dups.map((r) => r.device), dups.map((r) => r.qos), dups.map((r) => r.seq)],
          );
        }
      }
      if (samples.length > 0) {
        await client.query(
          `INSERT INTO samples (ts, device, field, value) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[])`,
          [samples.map((x) => x.ts), samples.map((x) => x.device), samples.map((x) => x.field), samples.map((x) => x.value)],
        );
        for (const [table, grain] of ROLLUPS) {
          const r = rollup(samples, grain);
          await client.query(
            `INSERT INTO ${table} (device, field, bucket, lo, hi, total, n, last, last_ts)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::bigint[], $8::float8[], $9::bigint[])
             ON CONFLICT (device, field, bucket) DO UPDATE SET
               lo = LEAST(${table}.lo, excluded.lo), hi = GREATEST(${table}.hi, excluded.hi),
               total = ${table}.total + excluded.total, n = ${table}.n + excluded.n,
               last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
               last_ts = GREATEST(${table}.last_ts, excluded.last_ts)`,
            [r.map((x) => x.device), r.map((x) => x.field), r.map((x) => x.bucket), r.map((x) => x.min), r.map((x) => x.max), r.map((x) => x.sum), r.map((x) => x.count), r.map((x) => x.last), r.map((x) => x.lastTs)],
          );
        }
      }
      for (const u of batch.devices) {
        await client.query(
          `INSERT INTO devices (id, site, status, last_seen, latest) VALUES ($1, $2, COALESCE($3, 'unknown'), $4, $5)
           ON CONFLICT (id) DO UPDATE SET site = excluded.site,
             status = COALESCE($3, devices.status),
             last_seen = GREATEST(devices.last_seen, excluded.last_seen),
             latest = devices.latest || excluded.latest`,
          [u.id, u.site, u.status ?? null, u.lastSeen, JSON.stringify(u.values ?? {})],
        );
      }
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async listDevices(): Promise<Device[]> {
    const { rows } = await this.pool.query<DeviceRecord>("SELECT * FROM devices ORDER BY site, id");
    return rows.map(toDevice);
  }

  async getDevice(id: DeviceId): Promise<DeviceWithValues | null> {
    const { rows } = await this.pool.query<DeviceRecord>("SELECT * FROM devices WHERE id = $1", [id]);
    const r = rows[0];
    return r ? { ...toDevice(r), values: r.latest as DeviceWithValues["values"] } : null;
  }

  async queryMessages(q: MessageQuery): Promise<MessagePage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.topic !== undefined) {
      if (q.topic.includes("+") || q.topic.includes("#")) where.push(`topic ~ ${param(filterToRegex(q.topic))}`);
      else where.push(`topic = ${param(q.topic)}`);
    }
    if (q.from !== undefined) where.push(`ts >= ${param(q.from)}`);
    if (q.to !== undefined) where.push(`ts <= ${param(q.to)}`);
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      where.push(`(ts, id) < (${param(c.ts)}, ${param(c.id)})`);
    }
    const { rows } = await this.pool.query<{ id: string; ts: string; topic: string; qos: number; retain: boolean; seq: string | null; payload: Buffer; truncated: boolean }>(
      `SELECT id, ts, topic, qos, retain, seq, payload, truncated FROM messages
       ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts DESC, id DESC LIMIT ${param(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      messages: page.map((r) => ({
        ts: Number(r.ts) as EpochMs,
        topic: r.topic,
        qos: r.qos as QoS,
        retain: r.retain,
        ...payloadForJson(r.payload),
        seq: r.seq === null ? null : Number(r.seq),
        truncated: r.truncated,
      })),
      next: rows.length > q.limit && last ? encodeCursor({ ts: Number(last.ts), id: Number(last.id) }) : null,
    };
  }

  async querySeries(q: SeriesQuery): Promise<Series> {
    const plan = planSeries(q.from, q.to, q.points);
    const sql =
      plan.source === "samples"
        ? `SELECT (ts - $3) / $4 AS b, min(value) AS lo, max(value) AS hi, sum(value) AS total, count(*)::float8 AS n,
             (array_agg(value ORDER BY ts DESC))[1] AS last
           FROM samples WHERE device = $1 AND field = $2 AND ts BETWEEN $5 AND $6 GROUP BY b ORDER BY b`
        : `SELECT (bucket - $3) / $4 AS b, min(lo) AS lo, max(hi) AS hi, sum(total) AS total, sum(n)::float8 AS n,
             (array_agg(last ORDER BY bucket DESC))[1] AS last
           FROM ${plan.source} WHERE device = $1 AND field = $2 AND bucket BETWEEN $3 AND $5 GROUP BY b ORDER BY b`;
    const params = [q.device, q.field, plan.origin, plan.bucketMs, ...(plan.source === "samples" ? [q.from, q.to] : [q.to])];
    const { rows } = await this.pool.query<{ b: string; lo: number; hi: number; total: number; n: number; last: number }>(sql, params);
    return {
      bucketMs: plan.bucketMs,
      points: rows.map((r) => ({ t: plan.origin + Number(r.b) * plan.bucketMs, min: r.lo, max: r.hi, avg: r.total / r.n, last: r.last, count: r.n })),
    };
  }

  async queryDelivery(q: DeliveryQuery): Promise<{ streams: SeqStream[]; duplicates: Map<QoS, number> }> {
    const params = [q.device, q.from, q.to];
    const streams = await this.pool.query<{ topic: string; qos: number; received: string; min_seq: string; max_seq: string }>(
      `SELECT topic, max(qos) AS qos, count(DISTINCT seq) AS received, min(seq) AS min_seq, max(seq) AS max_seq
       FROM messages WHERE device = $1 AND seq IS NOT NULL AND ts BETWEEN $2 AND $3 GROUP BY topic`,
      params,
    );
    const dups = await this.pool.query<{ qos: number; n: string }>(
      `SELECT qos, count(*) AS n FROM duplicates WHERE device = $1 AND ts BETWEEN $2 AND $3 GROUP BY qos`,
      params,
    );
    return {
      streams: streams.rows.map((r) => ({ topic: r.topic, qos: r.qos as QoS, received: Number(r.received), minSeq: Number(r.min_seq), maxSeq: Number(r.max_seq) })),
      duplicates: new Map(dups.rows.map((d) => [d.qos as QoS, Number(d.n)])),
    };
  }

  async prune(before: EpochMs, maxRows: number): Promise<number> {
    let deleted = 0;
    for (const [table, col] of [["messages", "ts"], ["samples", "ts"], ["duplicates", "ts"], ["rollup_minute", "bucket"], ["rollup_hour", "bucket"]] as const) {
      const r = await this.pool.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${col} < $1 LIMIT $2)`, [before, maxRows]);
      deleted += r.rowCount ?? 0;
    }
    return deleted;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
