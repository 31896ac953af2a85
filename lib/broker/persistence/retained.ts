import "server-only";
/**
 * Retained messages, one per topic, in the `retained` table (schema.ts). A SUBSCRIBE's filters
 * are answered a page at a time from the topic index: only topics starting with a filter's literal
 * levels are read, and each is checked with lib/mqtt/topic.ts `topicMatches`. Synchronous
 * statements, run inside a group commit (group-commit.ts).
 */
import type Database from "better-sqlite3";
import { topicMatches } from "../../mqtt/topic";
import { decodePacket, encodePacket, type Payload, type StoredPacket } from "./packet-codec";

/** Topics read per step of a retained stream. */
export const RETAINED_PAGE = 256;

interface Row {
  topic: string;
  payload: Payload | null;
  meta: string;
}

/**
 * The part every topic `filter` matches starts with: its levels before the first wildcard, and
 * the separator when a `+` follows (a `#` also matches the parent level, so none then).
 */
export function literalPrefix(filter: string): string {
  const levels = filter.split("/");
  const wild = levels.findIndex((l) => l === "+" || l === "#");
  if (wild === -1) return filter;
  const literal = levels.slice(0, wild).join("/");
  return wild > 0 && levels[wild] === "+" ? `${literal}/` : literal;
}

export class RetainedMessages {
  private readonly upsert;
  private readonly remove;
  private readonly exact;
  private readonly from;
  private readonly after;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[string, Payload | null, string]>(
      "INSERT INTO retained (topic, payload, meta) VALUES (?, ?, ?) ON CONFLICT (topic) DO UPDATE SET payload = excluded.payload, meta = excluded.meta",
    );
    this.remove = db.prepare<[string]>("DELETE FROM retained WHERE topic = ?");
    this.exact = db.prepare<[string], Row>("SELECT topic, payload, meta FROM retained WHERE topic = ?");
    this.from = db.prepare<[string, number], Row>("SELECT topic, payload, meta FROM retained WHERE topic >= ? ORDER BY topic LIMIT ?");
    this.after = db.prepare<[string, number], Row>("SELECT topic, payload, meta FROM retained WHERE topic > ? ORDER BY topic LIMIT ?");
  }

  /** An empty payload removes the topic's retained message [MQTT-3.3.1-10]. */
  store(packet: StoredPacket & { topic: string; payload: Payload }): void {
    if (packet.payload.length === 0) {
      this.remove.run(packet.topic);
      return;
    }
    const { payload, meta } = encodePacket(packet);
    this.upsert.run(packet.topic, payload, meta);
  }

  /**
   * One page of the messages matching `filter`, from the topic after `cursor` (from the start when
   * null). `next` is where the following page starts, or null when there is none.
   */
  page(filter: string, cursor: string | null): { packets: StoredPacket[]; next: string | null } {
    const prefix = literalPrefix(filter);
    if (prefix === filter) {
      const row = cursor === null ? this.exact.get(filter) : undefined;
      return { packets: row ? [decodePacket(row.payload, row.meta)] : [], next: null };
    }
    const rows = cursor === null ? this.from.all(prefix, RETAINED_PAGE) : this.after.all(cursor, RETAINED_PAGE);
    const packets: StoredPacket[] = [];
    for (const row of rows) {
      // Topics are in order: past the prefix, nothing further can match.
      if (!row.topic.startsWith(prefix)) return { packets, next: null };
      if (topicMatches(filter, row.topic)) packets.push(decodePacket(row.payload, row.meta));
    }
    return { packets, next: rows.length === RETAINED_PAGE ? rows.at(-1)!.topic : null };
  }
}
