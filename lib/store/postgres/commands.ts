import "server-only";
/** The PostgreSQL command log: the same rows as SQLite's, the record as JSONB. */
import type pg from "pg";
import { FINAL_STATES, type Command } from "../../commands/lifecycle";
import type { CommandLog, CommandPage, CommandQuery, UnmatchedReply } from "../command-log";
import { MAX_UNMATCHED_PAYLOAD } from "../command-log";
import { decodeCursor, encodeCursor } from "../cursor";

interface CommandRecord {
  n: string;
  created_at: string;
  doc: Command;
}

const FINAL = [...FINAL_STATES];

export class PgCommandLog implements CommandLog {
  constructor(private readonly pool: pg.Pool) {}

  async create(commands: Command[]): Promise<{ command: Command; created: boolean }[]> {
    if (commands.length === 0) return [];
    const col = <T>(f: (c: Command) => T) => commands.map(f);
    // Keys taken within this call are left to the first command that has them: ON CONFLICT DO
    // NOTHING skips a later row of the same statement, and the lookup below returns the first.
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO commands (id, key, device, name, actor, state, created_at, deadline, doc)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::jsonb[])
       ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING RETURNING id`,
      [col((c) => c.id), col((c) => c.key), col((c) => c.device), col((c) => c.name), col((c) => c.actor), col((c) => c.state), col((c) => c.createdAt), col((c) => c.deadline), col((c) => JSON.stringify(c))],
    );
    const created = new Set(rows.map((r) => r.id));
    const lost = commands.filter((c) => !created.has(c.id));
    const byKey = new Map<string, Command>();
    if (lost.length > 0) {
      const found = await this.pool.query<{ key: string; doc: Command }>(`SELECT key, doc FROM commands WHERE key = ANY($1::text[])`, [lost.map((c) => c.key)]);
      for (const r of found.rows) byKey.set(r.key, r.doc);
    }
    return commands.map((c) => {
      if (created.has(c.id)) return { command: c, created: true };
      const existing = byKey.get(c.key!);
      if (!existing) throw new Error(`command ${c.id} was neither stored nor found by its key`);
      return { command: existing, created: false };
    });
  }

  async save(commands: Command[]): Promise<void> {
    if (commands.length === 0) return;
    await this.pool.query(
      `UPDATE commands AS c SET state = v.state, doc = v.doc FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS v (id, state, doc) WHERE c.id = v.id`,
      [commands.map((c) => c.id), commands.map((c) => c.state), commands.map((c) => JSON.stringify(c))],
    );
  }

  async get(id: string): Promise<Command | null> {
    const { rows } = await this.pool.query<CommandRecord>(`SELECT doc FROM commands WHERE id = $1`, [id]);
    return rows[0]?.doc ?? null;
  }

  async list(q: CommandQuery): Promise<CommandPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const bind = (v: string | number) => `$${params.push(v)}`;
    for (const col of ["device", "name", "state", "actor"] as const) if (q[col] !== undefined) where.push(`${col} = ${bind(q[col]!)}`);
    if (q.from !== undefined) where.push(`created_at >= ${bind(q.from)}`);
    if (q.to !== undefined) where.push(`created_at <= ${bind(q.to)}`);
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      const ts = bind(c.ts);
      where.push(`(created_at < ${ts} OR (created_at = ${ts} AND n < ${bind(c.id)}))`);
    }
    const { rows } = await this.pool.query<CommandRecord>(
      `SELECT n, created_at, doc FROM commands ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, n DESC LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      commands: page.map((r) => r.doc),
      next: rows.length > q.limit && last ? encodeCursor({ ts: Number(last.created_at), id: Number(last.n) }) : null,
    };
  }

  async open(): Promise<Command[]> {
    const { rows } = await this.pool.query<CommandRecord>(`SELECT doc FROM commands WHERE state <> ALL($1::text[]) ORDER BY created_at, n`, [FINAL]);
    return rows.map((r) => r.doc);
  }

  async recordUnmatched(r: UnmatchedReply): Promise<void> {
    await this.pool.query(`INSERT INTO command_replies_unmatched (ts, topic, device, reply_id, payload) VALUES ($1, $2, $3, $4, $5)`, [
      r.ts,
      r.topic,
      r.device,
      r.replyId,
      r.payload.slice(0, MAX_UNMATCHED_PAYLOAD),
    ]);
  }

  async unmatched(limit: number): Promise<UnmatchedReply[]> {
    const { rows } = await this.pool.query<UnmatchedReply & { ts: string }>(
      `SELECT ts, topic, device, reply_id AS "replyId", payload FROM command_replies_unmatched ORDER BY ts DESC, n DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ ...r, ts: Number(r.ts) }));
  }
}
