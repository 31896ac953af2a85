import "server-only";
/**
 * Each persistent session's outgoing QoS 1 and 2 messages, in the `outgoing` table (schema.ts):
 * queued while the client is away, in flight once aedes gives them a packet id, replaced by the
 * PUBREL once the client's PUBREC arrives, gone at PUBACK or PUBCOMP. Synchronous, run inside a
 * group commit (group-commit.ts).
 *
 * Every QoS 1 and 2 message to an online session costs three writes here (queued, in flight,
 * cleared), so the table is only its primary key (client, seq: a session's queue in order) and the
 * two lookups aedes makes on the way are answered from memory:
 * - by broker and counter (how aedes names a message it delivers): rows this process queued or
 *   streamed lately; a miss reads the client's rows in SQL;
 * - by packet id (PUBACK, PUBREC, PUBCOMP): every row with an id, loaded at start, so the map is the
 *   truth and a PUBACK for an unknown id costs no read. The packet aedes put in flight is kept with
 *   it, so a PUBACK deletes by key and decodes nothing.
 */
import type Database from "better-sqlite3";
import { decodePacket, encodePacket, type Payload, type StoredPacket } from "./packet-codec";

/** Rows read per step of an outgoing stream: memory stays flat however long a queue grew offline. */
export const OUTGOING_PAGE = 256;
/** Queued rows remembered by broker and counter; past it the oldest are forgotten (a later update reads SQL). */
export const RECENT_QUEUED = 100_000;

interface Row {
  seq: number;
  broker_id: string | null;
  broker_counter: number | null;
  message_id: number | null;
  payload: Payload | null;
  meta: string;
}

/** What aedes hands `outgoingUpdate` and `outgoingClearMessageId`: a packet, or only its id. */
export interface PacketRef {
  brokerId?: string | null;
  brokerCounter?: number | null;
  messageId?: number | null;
}

interface InFlight {
  seq: number;
  clientId: string;
  messageId: number;
  brokerId: string | null;
  counter: number | null;
  /** What aedes sent, when it was this process; null for rows from an earlier run. */
  packet: StoredPacket | null;
}

/** Packet fields kept in columns rather than in the JSON: aedes finds messages by them. */
const LIFTED = ["messageId", "brokerId", "brokerCounter"] as const;

const decode = (r: Omit<Row, "seq">): StoredPacket =>
  decodePacket(r.payload, r.meta, { messageId: r.message_id, brokerId: r.broker_id, brokerCounter: r.broker_counter });

const counterKey = (clientId: string, brokerId: string, counter: number | null) => `${clientId}\u0000${brokerId}\u0000${counter ?? ""}`;

export class OutgoingQueues {
  private readonly sql;
  /** Queued rows by client, broker and counter (counterKey); oldest first. */
  private readonly recent = new Map<string, number>();
  /** Rows with a packet id, by client and id, in queue order. */
  private readonly byId = new Map<string, Map<number, InFlight[]>>();
  private readonly bySeq = new Map<number, InFlight>();
  /** The last seq given; rows are numbered here, in queue order across all sessions. */
  private seq = 0;

  constructor(db: Database.Database) {
    this.sql = {
      insert: db.prepare<[string, number, string | null, number | null, Payload | null, string]>(
        "INSERT INTO outgoing (client_id, seq, broker_id, broker_counter, payload, meta) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      // A row `recent` forgot (a long offline queue) or never held: the client's rows, in order.
      byCounter: db.prepare<[string, string, number | null], { seq: number; message_id: number | null }>(
        "SELECT seq, message_id FROM outgoing WHERE client_id = ? AND broker_id = ? AND broker_counter IS ? ORDER BY seq LIMIT 1",
      ),
      setMessageId: db.prepare<[number | null, string, number]>("UPDATE outgoing SET message_id = ? WHERE client_id = ? AND seq = ?"),
      replace: db.prepare<[string | null, number | null, number | null, Payload | null, string, string, number]>(
        "UPDATE outgoing SET broker_id = ?, broker_counter = ?, message_id = ?, payload = ?, meta = ? WHERE client_id = ? AND seq = ?",
      ),
      delete: db.prepare<[string, number]>("DELETE FROM outgoing WHERE client_id = ? AND seq = ?"),
      deleteReturning: db.prepare<[string, number], Row>(
        "DELETE FROM outgoing WHERE client_id = ? AND seq = ? RETURNING seq, broker_id, broker_counter, message_id, payload, meta",
      ),
      maxSeq: db.prepare<[], { last: number | null }>("SELECT max(seq) AS last FROM outgoing"),
      firstWithoutId: db.prepare<[string], { seq: number }>("SELECT seq FROM outgoing WHERE client_id = ? AND message_id IS NULL ORDER BY seq LIMIT 1"),
      inFlight: db.prepare<[], { seq: number; client_id: string; message_id: number; broker_id: string | null; broker_counter: number | null }>(
        "SELECT seq, client_id, message_id, broker_id, broker_counter FROM outgoing WHERE message_id IS NOT NULL ORDER BY seq",
      ),
      lastSeq: db.prepare<[string], { last: number | null }>("SELECT max(seq) AS last FROM outgoing WHERE client_id = ?"),
      page: db.prepare<[string, number, number, number], Row>(
        "SELECT seq, broker_id, broker_counter, message_id, payload, meta FROM outgoing WHERE client_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
      ),
    };
  }

  /** Reads what is in flight from the file: at start (the persistence's setup), and after a transaction failed. */
  load(): void {
    this.seq = this.sql.maxSeq.get()?.last ?? 0;
    this.recent.clear();
    this.byId.clear();
    this.bySeq.clear();
    for (const r of this.sql.inFlight.all()) {
      this.track({ seq: r.seq, clientId: r.client_id, messageId: r.message_id, brokerId: r.broker_id, counter: r.broker_counter, packet: null });
    }
  }

  /** One copy per session of a packet in aedes' queued shape (packet-codec.ts `asAedesPacket`). */
  enqueue(clientIds: readonly string[], queued: StoredPacket): void {
    const { payload, meta } = encodePacket(queued, LIFTED);
    const brokerId = (queued.brokerId as string | undefined) ?? null;
    const counter = (queued.brokerCounter as number | undefined) ?? null;
    // A session whose subscriptions overlap gets the message once, as aedes delivers it online.
    for (const id of clientIds.length === 1 ? clientIds : new Set(clientIds)) {
      const seq = ++this.seq;
      this.sql.insert.run(id, seq, brokerId, counter, payload, meta);
      if (brokerId !== null) this.remember(counterKey(id, brokerId, counter), seq);
    }
  }

  /**
   * Records the packet id aedes gave a queued message, found by the broker and counter that name
   * it; or puts `packet` in the place of the message with its packet id that another broker run
   * queued, or of any message with that id when `packet` names no broker (the PUBREL that follows
   * a PUBREC, [MQTT-4.3.3-1]). The first such row in queue order, as aedes' in-memory persistence.
   * `packet` is kept (a PUBACK returns it): a copy the caller no longer changes (packet-codec.ts `snapshot`).
   */
  update(clientId: string, packet: PacketRef & StoredPacket): void {
    const brokerId = packet.brokerId ?? null;
    const counter = packet.brokerCounter ?? null;
    const messageId = packet.messageId ?? null;
    const key = brokerId === null ? null : counterKey(clientId, brokerId, counter);
    const named = key === null ? undefined : (this.recent.get(key) ?? this.sql.byCounter.get(clientId, brokerId!, counter)?.seq);
    const sameId = messageId === null ? undefined : this.byId.get(clientId)?.get(messageId)?.find((f) => brokerId === null || f.brokerId !== brokerId);
    if (named !== undefined && (sameId === undefined || named < sameId.seq)) {
      this.sql.setMessageId.run(messageId, clientId, named);
      this.recent.delete(key!);
      const was = this.bySeq.get(named);
      if (was) this.untrack(was);
      if (messageId !== null) this.track({ seq: named, clientId, messageId, brokerId, counter, packet });
    } else if (sameId !== undefined) {
      const { payload, meta } = encodePacket(packet, LIFTED);
      this.sql.replace.run(brokerId, counter, messageId, payload, meta, clientId, sameId.seq);
      this.forget(sameId);
      this.untrack(sameId);
      this.track({ seq: sameId.seq, clientId, messageId: messageId!, brokerId, counter, packet });
    } else {
      throw new Error("no such packet");
    }
  }

  /**
   * Removes the first message with this packet id (its PUBACK or PUBCOMP came) and returns it; with
   * no id, the first one not yet given one (aedes' in-memory persistence matches `undefined` too).
   */
  clear(clientId: string, messageId: number | null): StoredPacket | undefined {
    if (messageId === null) {
      const first = this.sql.firstWithoutId.get(clientId);
      if (!first) return undefined;
      const row = this.sql.deleteReturning.get(clientId, first.seq)!;
      if (row.broker_id !== null) this.recent.delete(counterKey(clientId, row.broker_id, row.broker_counter));
      return decode(row);
    }
    const f = this.byId.get(clientId)?.get(messageId)?.[0];
    if (!f) return undefined;
    this.untrack(f);
    this.forget(f);
    if (f.packet) {
      this.sql.delete.run(clientId, f.seq);
      return f.packet;
    }
    return decode(this.sql.deleteReturning.get(clientId, f.seq)!);
  }

  /** The last row queued for this client now: where a stream of its queue stops. */
  last(clientId: string): number | null {
    return this.sql.lastSeq.get(clientId)?.last ?? null;
  }

  /** A page of the client's queue; aedes updates each row it replays by broker and counter, so they are remembered. */
  page(clientId: string, after: number, upTo: number): { packets: StoredPacket[]; lastSeq: number; full: boolean } {
    const rows = this.sql.page.all(clientId, after, upTo, OUTGOING_PAGE);
    for (const r of rows) if (r.broker_id !== null) this.remember(counterKey(clientId, r.broker_id, r.broker_counter), r.seq);
    return { packets: rows.map(decode), lastSeq: rows.at(-1)?.seq ?? after, full: rows.length === OUTGOING_PAGE };
  }

  private remember(key: string, seq: number): void {
    const known = this.recent.get(key);
    // The first row in queue order answers (a message queued twice for one session).
    if (known !== undefined && known <= seq) return;
    this.recent.set(key, seq);
    if (this.recent.size > RECENT_QUEUED) this.recent.delete(this.recent.keys().next().value!);
  }

  private forget(f: InFlight): void {
    if (f.brokerId !== null) this.recent.delete(counterKey(f.clientId, f.brokerId, f.counter));
  }

  private track(f: InFlight): void {
    let ids = this.byId.get(f.clientId);
    if (!ids) this.byId.set(f.clientId, (ids = new Map()));
    const rows = ids.get(f.messageId);
    if (!rows) ids.set(f.messageId, [f]);
    else {
      rows.push(f);
      rows.sort((a, b) => a.seq - b.seq);
    }
    this.bySeq.set(f.seq, f);
  }

  private untrack(f: InFlight): void {
    this.bySeq.delete(f.seq);
    const ids = this.byId.get(f.clientId);
    const rows = ids?.get(f.messageId);
    if (!ids || !rows) return;
    const i = rows.indexOf(f);
    if (i >= 0) rows.splice(i, 1);
    if (rows.length === 0) ids.delete(f.messageId);
    if (ids.size === 0) this.byId.delete(f.clientId);
  }
}
