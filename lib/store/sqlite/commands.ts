import "server-only";
/**
 * The SQLite command log: one row per command (its whole record as JSON, the columns the audit
 * log filters on beside it). Written on the store's own connection: commands are few, and each
 * is durable before it is sent.
 */
import type Database from "better-sqlite3";
import { FINAL_STATES, type Command } from "../../commands/lifecycle";
import type { CommandLog, CommandPage, CommandQuery, UnmatchedReply } from "../command-log";
import { MAX_UNMATCHED_PAYLOAD } from "../command-log";
import { decodeCursor, encodeCursor } from "../cursor";

interface CommandRecord {
  n: number;
  created_at: number;
  doc: string;
}

const FINAL_LIST = [...FINAL_STATES].map((s) => `'${s}'`).join(", ");

export class SqliteCommandLog implements CommandLog {
  private readonly insert;
  private readonly byKey;
  private readonly byId;
  private readonly update;
  private readonly createAll;
  private readonly saveAll;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO commands (id, key, device, name, actor, state, created_at, deadline, doc)
       VALUES (@id, @key, @device, @name, @actor, @state, @createdAt, @deadline, @doc) ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
    );
    this.byKey = db.prepare<[string], CommandRecord>(`SELECT n, created_at, doc FROM commands WHERE key = ?`);
    this.byId = db.prepare<[string], CommandRecord>(`SELECT n, created_at, doc FROM commands WHERE id = ?`);
    this.update = db.prepare(`UPDATE commands SET state = @state, doc = @doc WHERE id = @id`);
    this.createAll = db.transaction((commands: Command[]) =>
      commands.map((c) => {
        if (this.insert.run({ ...c, doc: JSON.stringify(c) }).changes === 1) return { command: c, created: true };
        const existing = this.byKey.get(c.key!);
        if (!existing) throw new Error(`command ${c.id} was neither stored nor found by its key`);
        return { command: JSON.parse(existing.doc) as Command, created: false };
      }),
    );
    this.saveAll = db.transaction((commands: Command[]) => {
      for (const c of commands) this.update.run({ id: c.id, state: c.state, doc: JSON.stringify(c) });
    });
  }

  async create(commands: Command[]): Promise<{ command: Command; created: boolean }[]> {
    return this.createAll(commands);
  }

  async save(commands: Command[]): Promise<void> {
    this.saveAll(commands);
  }

  async get(id: string): Promise<Command | null> {
    const r = this.byId.get(id);
    return r ? (JSON.parse(r.doc) as Command) : null;
  }

  async list(q: CommandQuery): Promise<CommandPage> {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: q.limit + 1 };
    for (const col of ["device", "name", "state", "actor"] as const) {
      if (q[col] !== undefined) {
        where.push(`${col} = @${col}`);
        params[col] = q[col]!;
      }
    }
    if (q.from !== undefined) where.push("created_at >= @from"), (params.from = q.from);
    if (q.to !== undefined) where.push("created_at <= @to"), (params.to = q.to);
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      where.push("(created_at < @cts OR (created_at = @cts AND n < @cn))");
      params.cts = c.ts;
      params.cn = c.id;
    }
    const rows = this.db
      .prepare<Record<string, string | number>, CommandRecord>(
        `SELECT n, created_at, doc FROM commands ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, n DESC LIMIT @limit`,
      )
      .all(params);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      commands: page.map((r) => JSON.parse(r.doc) as Command),
      next: rows.length > q.limit && last ? encodeCursor({ ts: last.created_at, id: last.n }) : null,
    };
  }

  async open(): Promise<Command[]> {
    return this.db
      .prepare<[], CommandRecord>(`SELECT n, created_at, doc FROM commands WHERE state NOT IN (${FINAL_LIST}) ORDER BY created_at, n`)
      .all()
      .map((r) => JSON.parse(r.doc) as Command);
  }

  async recordUnmatched(r: UnmatchedReply): Promise<void> {
    this.db
      .prepare(`INSERT INTO command_replies_unmatched (ts, topic, device, reply_id, payload) VALUES (?, ?, ?, ?, ?)`)
      .run(r.ts, r.topic, r.device, r.replyId, r.payload.slice(0, MAX_UNMATCHED_PAYLOAD));
  }

  async unmatched(limit: number): Promise<UnmatchedReply[]> {
    return this.db
      .prepare<[number], UnmatchedReply>(
        `SELECT ts, topic, device, reply_id AS replyId, payload FROM command_replies_unmatched ORDER BY ts DESC, n DESC LIMIT ?`,
      )
      .all(limit);
  }
}
