import "server-only";
/**
 * A durable persistence for the embedded Aedes broker: retained messages, persistent sessions'
 * subscriptions, their QoS 1 and 2 queues and in-flight packets, received QoS 2 packet ids awaiting
 * PUBREL, and last wills, in one SQLite file (WAL). Aedes 1.2 calls the promise interface that
 * aedes-persistence 11 specifies (its README and abstract suite, which this class passes:
 * sqlite-persistence.test.ts).
 *
 * Every change is a queued operation committed in groups (group-commit.ts); a promise resolves once
 * its change is committed, so what aedes acknowledges after awaiting it survives a crash of the
 * process: a SUBACK; a QoS 2 PUBREC, sent once the packet id is kept and every session's copy is
 * queued; a PUBLISH to a session, sent once its packet id is recorded, so a resend after a restart
 * carries the same id [MQTT-4.4.0-1]. A QoS 1 PUBACK, which aedes 1.2 would send before it hands
 * the message on, and a QoS 2 PUBREC wait for the message's publish (../publish-before-ack.ts),
 * whose QoS 2 packet id is kept in the transaction that queues the message (keepIncomingWithQueue).
 *
 * Subscriptions are also held in memory (session-subscriptions.ts), since every QoS 1 and 2 PUBLISH
 * asks which sessions to queue it for, and so are the outgoing lookups (outgoing.ts).
 */
import { Readable } from "node:stream";
import type Database from "better-sqlite3";
import { GroupCommit } from "./group-commit";
import { OutgoingQueues, type PacketRef } from "./outgoing";
import { asAedesPacket, decodePacket, encodePacket, snapshot, type Payload, type StoredPacket } from "./packet-codec";
import { RetainedMessages } from "./retained";
import { openBrokerDatabase } from "./schema";
import { optionsOf, SessionSubscriptions, type RestoredSubscription, type SubscriptionRequest } from "./session-subscriptions";
import type { MatchedSubscription } from "./subscription-trie";

/** The part of aedes' Client and Aedes objects a persistence reads. */
export interface ClientRef {
  id: string;
}
export interface BrokerRef {
  id: string;
}

export interface SqlitePersistenceOptions {
  file: string;
  /** Operations that force a commit without waiting for the end of the turn (group-commit.ts). */
  maxBatch?: number;
}

/** How aedes names a message as it publishes it (aedes-packet): broker id and counter. */
const messageKey = (packet: { brokerId?: unknown; brokerCounter?: unknown }) => `${String(packet.brokerId)}\u0000${String(packet.brokerCounter)}`;

interface PacketRow {
  payload: Payload | null;
  meta: string;
}

function noSuchPacket(): Error {
  return new Error("no such packet");
}

export class SqlitePersistence {
  private readonly db: Database.Database;
  private readonly commits: GroupCommit;
  private subscriptions = new SessionSubscriptions();
  private readonly outgoing: OutgoingQueues;
  private readonly retained: RetainedMessages;
  private readonly sql;
  private brokerRef: BrokerRef | undefined;
  /** QoS 2 packet ids to keep with their message's queueing, by messageKey (keepIncomingWithQueue). */
  private readonly incomingWithQueue = new Map<string, { clientId: string; messageId: number; payload: Payload | null; meta: string }>();
  private destroyed = false;

  constructor(opts: SqlitePersistenceOptions) {
    this.db = openBrokerDatabase(opts.file);
    this.commits = new GroupCommit(this.db, () => this.load(), opts.maxBatch);
    this.outgoing = new OutgoingQueues(this.db);
    this.retained = new RetainedMessages(this.db);
    const db = this.db;
    this.sql = {
      allSubscriptions: db.prepare<[], { client_id: string; topic: string; options: string }>("SELECT client_id, topic, options FROM subscriptions"),
      upsertSubscription: db.prepare<[string, string, string]>(
        "INSERT INTO subscriptions (client_id, topic, options) VALUES (?, ?, ?) ON CONFLICT (client_id, topic) DO UPDATE SET options = excluded.options",
      ),
      deleteSubscription: db.prepare<[string, string]>("DELETE FROM subscriptions WHERE client_id = ? AND topic = ?"),
      deleteSubscriptions: db.prepare<[string]>("DELETE FROM subscriptions WHERE client_id = ?"),
      upsertIncoming: db.prepare<[string, number, Payload | null, string]>(
        "INSERT INTO incoming (client_id, message_id, payload, meta) VALUES (?, ?, ?, ?) ON CONFLICT (client_id, message_id) DO UPDATE SET payload = excluded.payload, meta = excluded.meta",
      ),
      getIncoming: db.prepare<[string, number], PacketRow>("SELECT payload, meta FROM incoming WHERE client_id = ? AND message_id = ?"),
      deleteIncoming: db.prepare<[string, number]>("DELETE FROM incoming WHERE client_id = ? AND message_id = ?"),
      cleanIncoming: db.prepare<[string]>("DELETE FROM incoming WHERE client_id = ?"),
      upsertWill: db.prepare<[string, string | null, Payload | null, string]>(
        "INSERT INTO wills (client_id, broker_id, payload, meta) VALUES (?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET broker_id = excluded.broker_id, payload = excluded.payload, meta = excluded.meta",
      ),
      getWill: db.prepare<[string], PacketRow>("SELECT payload, meta FROM wills WHERE client_id = ?"),
      deleteWill: db.prepare<[string], PacketRow>("DELETE FROM wills WHERE client_id = ? RETURNING payload, meta"),
      allWills: db.prepare<[], PacketRow & { broker_id: string | null }>("SELECT broker_id, payload, meta FROM wills ORDER BY id"),
    };
  }

  /** The broker this persistence serves (the abstract suite reads it). */
  get broker(): BrokerRef | undefined {
    return this.brokerRef;
  }

  /** Aedes requires an async function here, and calls it once before it listens. */
  async setup(broker: BrokerRef): Promise<void> {
    this.brokerRef = broker;
    this.load();
  }

  /** What is kept in memory, from the file: at start, and after a transaction failed and was undone. */
  private load(): void {
    const subscriptions = new SessionSubscriptions();
    for (const row of this.sql.allSubscriptions.all()) {
      subscriptions.add(row.client_id, row.topic, optionsOf({ topic: row.topic, ...(JSON.parse(row.options) as Omit<SubscriptionRequest, "topic">) }));
    }
    this.subscriptions = subscriptions;
    this.outgoing.load();
  }

  // Retained messages.

  storeRetained(packet: StoredPacket & { topic: string; payload: Payload }): Promise<void> {
    // A copy: the caller may change its packet once this returns.
    const copy = { ...packet };
    return this.commits.run(() => this.retained.store(copy));
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern]);
  }

  createRetainedStreamCombi(patterns: readonly string[]): Readable {
    const { commits, retained } = this;
    async function* messages() {
      for (const filter of patterns) {
        let cursor: string | null = null;
        do {
          const at: string | null = cursor;
          const page: { packets: StoredPacket[]; next: string | null } = await commits.run(() => retained.page(filter, at));
          yield* page.packets;
          cursor = page.next;
        } while (cursor !== null);
      }
    }
    return Readable.from(messages());
  }

  // Persistent sessions' subscriptions: in memory for matching, changed with the file, in the
  // same operation, so a failed transaction undoes both (load).

  addSubscriptions(client: ClientRef, subs: readonly SubscriptionRequest[]): Promise<void> {
    const rows = subs.map((s) => ({ topic: s.topic, options: optionsOf(s) }));
    return this.commits.run(() => {
      for (const { topic, options } of rows) {
        this.sql.upsertSubscription.run(client.id, topic, JSON.stringify(options));
        this.subscriptions.add(client.id, topic, options);
      }
    });
  }

  removeSubscriptions(client: ClientRef, topics: readonly string[]): Promise<void> {
    const list = [...topics];
    return this.commits.run(() => {
      for (const topic of list) {
        this.sql.deleteSubscription.run(client.id, topic);
        this.subscriptions.remove(client.id, topic);
      }
    });
  }

  cleanSubscriptions(client: ClientRef): Promise<void> {
    return this.commits.run(() => {
      this.sql.deleteSubscriptions.run(client.id);
      this.subscriptions.clean(client.id);
    });
  }

  async subscriptionsByClient(client: ClientRef): Promise<RestoredSubscription[]> {
    return this.subscriptions.ofClient(client.id);
  }

  async subscriptionsByTopic(topic: string): Promise<MatchedSubscription[]> {
    return this.subscriptions.matching(topic).map((s) => ({ ...s }));
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return this.subscriptions.counts();
  }

  getClientList(topic: string): Readable {
    return Readable.from(this.subscriptions.clientsWith(topic));
  }

  // Outgoing QoS 1 and 2: queued, in flight, awaiting PUBCOMP.

  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: StoredPacket): Promise<void> {
    const ids = subs.map((s) => s.clientId);
    // Copied now: aedes goes on with the packet (and may change it) before the commit.
    const queued = asAedesPacket(packet);
    const key = messageKey(packet);
    const incoming = this.incomingWithQueue.get(key);
    this.incomingWithQueue.delete(key);
    return this.commits.run(() => {
      this.outgoing.enqueue(ids, queued);
      if (incoming) this.sql.upsertIncoming.run(incoming.clientId, incoming.messageId, incoming.payload, incoming.meta);
    });
  }

  outgoingUpdate(client: ClientRef, packet: PacketRef & StoredPacket): Promise<void> {
    const copy = snapshot(packet);
    return this.commits.run(() => this.outgoing.update(client.id, copy));
  }

  outgoingClearMessageId(client: ClientRef, packet: PacketRef): Promise<StoredPacket | undefined> {
    const messageId = packet.messageId ?? null;
    return this.commits.run(() => this.outgoing.clear(client.id, messageId));
  }

  /** The client's queue as it is when called (aedes replays it at CONNECT), read a page at a time. */
  outgoingStream(client: ClientRef): Readable {
    const { commits, outgoing } = this;
    const id = client.id;
    const last = commits.run(() => outgoing.last(id));
    last.catch(() => {}); // the stream reports it when read
    async function* packets() {
      const upTo = await last;
      if (upTo === null) return;
      let after = 0;
      for (;;) {
        const from = after;
        const page = await commits.run(() => outgoing.page(id, from, upTo));
        yield* page.packets;
        if (!page.full) return;
        after = page.lastSeq;
      }
    }
    return Readable.from(packets());
  }

  // Incoming QoS 2: kept from PUBLISH to PUBREL [MQTT-4.3.3-2].

  incomingStorePacket(client: ClientRef, packet: StoredPacket & { messageId: number }): Promise<void> {
    const stored = asAedesPacket(packet);
    stored.messageId = packet.messageId;
    const { payload, meta } = encodePacket(stored);
    return this.commits.run(() => void this.sql.upsertIncoming.run(client.id, packet.messageId, payload, meta));
  }

  /**
   * A received QoS 2 PUBLISH, numbered by the broker and about to be published: its packet id is
   * kept by the transaction that queues the message for persistent sessions (aedes queues every
   * QoS 1 and 2 message, for no session or many), so a crash leaves both or neither.
   */
  keepIncomingWithQueue(client: ClientRef, packet: object & { messageId: number; brokerId: string; brokerCounter: number }): void {
    const stored = asAedesPacket(snapshot(packet));
    stored.messageId = packet.messageId;
    this.incomingWithQueue.set(messageKey(packet), { clientId: client.id, messageId: packet.messageId, ...encodePacket(stored) });
  }

  /** A message kept for by keepIncomingWithQueue whose publish failed before it was queued. */
  forgetIncoming(packet: { brokerId: string; brokerCounter: number }): void {
    this.incomingWithQueue.delete(messageKey(packet));
  }

  incomingGetPacket(client: ClientRef, packet: { messageId: number }): Promise<StoredPacket> {
    return this.commits.run(() => {
      const row = this.sql.getIncoming.get(client.id, packet.messageId);
      if (!row) throw noSuchPacket();
      return decodePacket(row.payload, row.meta);
    });
  }

  incomingDelPacket(client: ClientRef, packet: { messageId: number }): Promise<void> {
    return this.commits.run(() => {
      if (this.sql.deleteIncoming.run(client.id, packet.messageId).changes === 0) throw noSuchPacket();
    });
  }

  /** A clean session starts without the previous one's packet ids [MQTT-3.1.2-6]. */
  cleanIncoming(client: ClientRef): Promise<void> {
    return this.commits.run(() => void this.sql.cleanIncoming.run(client.id));
  }

  // Last wills.

  putWill(client: ClientRef, packet: StoredPacket): Promise<void> {
    // As aedes' in-memory persistence: the will says whose it is and which broker holds it.
    packet.brokerId = this.brokerRef?.id;
    packet.clientId = client.id;
    const { payload, meta } = encodePacket(packet);
    const brokerId = this.brokerRef?.id ?? null;
    return this.commits.run(() => void this.sql.upsertWill.run(client.id, brokerId, payload, meta));
  }

  getWill(client: ClientRef): Promise<StoredPacket | undefined> {
    return this.commits.run(() => {
      const row = this.sql.getWill.get(client.id);
      return row ? decodePacket(row.payload, row.meta) : undefined;
    });
  }

  delWill(client: ClientRef): Promise<StoredPacket | undefined> {
    return this.commits.run(() => {
      const row = this.sql.deleteWill.get(client.id);
      return row ? decodePacket(row.payload, row.meta) : undefined;
    });
  }

  /** The wills held for brokers not in `brokers` (aedes passes the ones it has heard from lately). */
  streamWill(brokers: Record<string, unknown> = {}): Readable {
    const rows = this.commits.run(() => this.sql.allWills.all());
    rows.catch(() => {}); // the stream reports it when read
    async function* wills() {
      for (const row of await rows) if (row.broker_id === null || !brokers[row.broker_id]) yield decodePacket(row.payload, row.meta);
    }
    return Readable.from(wills());
  }

  /**
   * Writes a consistent copy of the file to `destination` (a new file) while the broker goes on:
   * SQLite's online backup API on this connection, in steps between which the broker serves, and
   * which carries what this connection commits meanwhile into the copy (lib/broker/backup-socket.ts).
   */
  async backup(destination: string): Promise<void> {
    if (this.destroyed) throw new Error("the broker's persistence is closed");
    await this.db.backup(destination);
  }

  /** Commits what is queued and closes the file. */
  async destroy(): Promise<void> {
    if (this.destroyed) throw new Error("the broker's persistence was destroyed twice");
    this.destroyed = true;
    this.commits.close();
    this.db.close();
  }
}
