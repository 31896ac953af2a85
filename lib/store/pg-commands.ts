import "server-only";
/** The PostgreSQL command log: the same rows as SQLite's, the record as JSONB. */
import type pg from "pg";
import { FINAL_STATES, type Command } from "../commands/lifecycle";
import type { CommandLog, CommandPage, CommandQuery, UnmatchedReply } from "./command-log";
import { MAX_UNMATCHED_PAYLOAD } from "./command-log";
import { decodeCursor, encodeCursor } from "./cursor";

interface CommandRecord {
  n: string;
  created_at: string;
  doc: Command;
}

const FINAL = [...FINAL_STATES];

export class PgCommandLog implements CommandLog {
  constructor(private readonly pool: pg.Pool) {}

  async create(c: Command): Promise<{ command: Command; created: boolean }> {
    const inserted = await this.pool.query(
      `INSERT INTO commands (id, key, device, name, actor, state, created_at, deadline, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
      [c.id, c.key, c.device, c.name, c.actor, c.state, c.createdAt, c.deadline, JSON.stringify(c)],
    );
    if (inserted.rowCount === 1) return { command: c, created: true };
    const { rows } = await this.pool.query<CommandRecord>(`SELECT doc FROM commands WHERE key = $1`, [c.key]);
    if (!rows[0]) throw new Error(`command ${c.id} was neither stored nor found by its key`);
    return { command: rows[0].doc, created: false };
  }

  async save(c: Command): Promise<void> {
    await this.pool.query(`UPDATE commands SET state = $2, doc = $3 WHERE id = $1`, [c.id, c.state, JSON.stringify(c)]);
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
