import "server-only";
/**
 * The bridge: subscribes to everything with a persistent session, stores every message, and
 * acknowledges a QoS 1/2 message only once it is durable.
 *
 * MQTT.js handles incoming packets one at a time: the next one is not read until
 * `handleMessage` calls back, and for QoS 1 the PUBACK goes out at that call; for QoS 2 the
 * PUBREC goes out once its incoming store has the packet (STACK.md, gotcha 3). Committing a
 * whole store batch on that path caps throughput at one message per commit, so:
 * - QoS 1: committed to the local spool with the others of the same socket read, in one
 *   transaction, their PUBACKs held in the corked socket until it commits (held-acks.ts);
 * - QoS 2: committed alone to the spool before its PUBREC (commit-before-pubrec.ts);
 * - QoS 0: at most once by definition, kept in memory;
 * - the drainer moves both to the store in large batches, then releases the spool rows.
 */
import { EventEmitter } from "node:events";
import mqtt, { type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import { asEpochMs, type EpochMs } from "../devices/model";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import type { Convention, Outbound } from "../devices/convention";
import { Interpreter, type ConventionCounts, type Reading } from "../devices/registry";
import { hostState } from "../devices/conventions/sparkplug";
import type { AppendResult, Batch, DeviceUpdate, MessageRow, Store } from "../store/types";
import type { QoS } from "../mqtt/packet";
import { CommitBeforePubrec } from "./commit-before-pubrec";
import { decodeMessage, mergeDeviceUpdates, spoolIdent, type Decoded, type Received, type SampleSkip } from "./decode";
import { HeldAcks } from "./held-acks";
import { Spool, type Spoolable } from "./spool";
import { timeCommit } from "../metrics/observations";
import { logger } from "../log/logger";
import { grantOf, type Grant } from "../qos/granted";

export interface BridgeOptions {
  url: string;
  username?: string;
  password?: string;
  /** Stable, so the broker keeps the session (and queued QoS 1/2 messages) across restarts. */
  clientId?: string;
  /** Subscription filter; `$share/<group>/#` lets several bridges split one stream. */
  filter?: string;
  store: Store;
  /** The local spool file; one per bridge (client id). */
  spoolPath: string;
  /** How long messages may wait for their batch. */
  flushIntervalMs?: number;
  /** Messages per store transaction at most. */
  maxBatch?: number;
  /** QoS 0 messages held while the store is failing; past this they are dropped and counted. */
  maxPending?: number;
  /**
   * Spooled messages waiting for the store, at most. Past this the bridge stops acknowledging
   * QoS 1/2 until the store catches up, and the broker holds the rest.
   */
  maxSpool?: number;
  /** The device conventions to read messages by (lib/devices/builtin.ts by default). */
  conventions?: readonly Convention<never>[];
  /**
   * As a Sparkplug host application: its STATE (`spBv1.0/STATE/<id>`, retained) says online while
   * it runs and its Will says offline, so edge nodes that wait for this host know it is there.
   */
  sparkplugHostId?: string;
  /** Each packet the bridge's client sends or receives, for tracing its hop (STACK.md, gotcha 4). */
  onPacket?: (packet: Packet, from: "client" | "server") => void;
}

export interface BridgeStats {
  connected: boolean;
  /**
   * PUBLISH packets the broker handed over (QoS 2 once, at its PUBREC; a redelivery counts
   * again). Each ends stored, a duplicate, pending or dropped: a shortfall there is a message
   * lost inside the bridge, a message missing from this count one the broker never sent.
   */
  received: number;
  stored: number;
  /** Redeliveries recognised by their identity and not stored again. */
  duplicates: number;
  /** Received and not yet in the store: QoS 0 in memory plus the spool's backlog. */
  pending: number;
  dropped: number;
  /** Telemetry stored without samples, by reason (the raw message is always kept). */
  samplesSkipped: Record<SampleSkip, number>;
  /** What each convention read, and what it could not make sense of. */
  conventions: ConventionCounts[];
  /** Messages the conventions asked to send (rebirth requests) that the broker did not take. */
  publishFailed: number;
  lastError: string | null;
  /** What the broker's SUBACK granted the bridge's QoS 2 subscription (lib/qos/granted.ts); null until it came. */
  subscription: (Grant & { filter: string }) | null;
}

interface BridgeEvents {
  connect: [];
  offline: [];
  /** A batch committed to the store: how many messages it held. */
  committed: [count: number];
  storeError: [error: Error];
  /**
   * A message read by the conventions (the alert evaluator's stream, lib/alerting/service.ts):
   * QoS 0 as it arrives, QoS 1/2 as the drain takes it from the spool, each with the time it was
   * received. A batch the store refused is read again on its retry, so a listener may see a
   * message twice. Emitted only while someone listens.
   */
  decoded: [topic: string, reading: Reading, ts: EpochMs];
}

/**
 * A batch taken and decoded, with what to release once the store has committed it. Only the
 * counts outlive the call that hands the rows to the store: a writer thread has its own copy by
 * then, and rows kept here until the commit would all survive into the old generation, the
 * most expensive garbage there is (about a tenth of this thread's time in the ingest bench).
 */
interface PreparedBatch {
  batch: Batch;
  messages: number;
  skipped: SampleSkip[];
  /** Spooled rows in it, the last one's id (all of the spool up to it), and QoS 0 messages. */
  spooled: number;
  lastId: number;
  fromMemory: number;
}

/** A batch handed to the store, and its commit. */
interface SentBatch {
  prep: PreparedBatch;
  committing: Promise<AppendResult>;
}

const EMPTY_BATCH: Batch = { messages: [], devices: [] };

/** Acknowledgement bytes waiting in the socket, at most, before the bridge stops reading (16k PUBACKs). */
const MAX_UNSENT_ACK_BYTES = 64 * 1024;

/** Retry delays after a failed store commit double from the first to the last. */
const STORE_RETRY_FIRST_MS = 200;
const STORE_RETRY_MAX_MS = 5000;

export class Bridge extends EventEmitter<BridgeEvents> {
  private client: MqttClient | null = null;
  private readonly spool: Spool;
  /** QoS 0 messages and device updates waiting for the next drain. */
  private memory: { row: MessageRow; devices: DeviceUpdate[] }[] = [];
  /** Reads each message by the conventions; its learned state lives as long as the bridge. */
  readonly interpreter: Interpreter;
  private publishFailed = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The drain running now, if any: one store transaction at a time, and callers share it. */
  private draining: Promise<void> | null = null;
  /** The batch the store is committing (the head of the drain), and the one sent behind it. */
  private head: SentBatch | null = null;
  private behind: SentBatch | null = null;
  private stopped = false;
  /** QoS 1 messages received and not yet spooled; their PUBACKs wait for the group's commit. */
  private readonly held: HeldAcks<Spoolable>;
  /** Set once stop() has begun: from then on each QoS 1 message commits alone, as end() flushes the socket. */
  private stopping = false;
  private readonly stats = {
    connected: false,
    received: 0,
    stored: 0,
    duplicates: 0,
    dropped: 0,
    samplesSkipped: { too_large: 0, not_json_object: 0, no_numbers: 0 } as Record<SampleSkip, number>,
    lastError: null as string | null,
    subscription: null as (Grant & { filter: string }) | null,
  };
  private readonly opts: Required<Omit<BridgeOptions, "username" | "password" | "onPacket" | "conventions" | "sparkplugHostId">> & Pick<BridgeOptions, "username" | "password" | "onPacket" | "sparkplugHostId">;

  constructor(options: BridgeOptions) {
    super();
    this.opts = {
      clientId: "fleetscope-bridge",
      filter: "#",
      flushIntervalMs: 50,
      maxBatch: 5000,
      maxPending: 100_000,
      maxSpool: 1_000_000,
      ...options,
    };
    this.interpreter = new Interpreter(options.conventions ?? BUILT_IN_CONVENTIONS);
    this.spool = new Spool(this.opts.spoolPath);
    this.held = new HeldAcks(
      (messages) => {
        this.spool.putMany(messages);
        this.schedule();
      },
      (err) => {
        // The socket went with the PUBACKs: the broker redelivers on the next connection.
        this.stats.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  }

  /** Drains what a previous run left in the spool, then connects and subscribes. */
  async start(): Promise<void> {
    // An empty batch readies the store's write path (the SQLite store boots its writer thread),
    // so the first messages do not wait for it. A store down now is reported; the drain retries.
    await this.opts.store.append({ messages: [], devices: [] }).catch((err: unknown) => this.storeFailed(err));
    if (this.spool.size() > 0) void this.flush();
    // One timestamp for the session's birth and its Will, as Sparkplug 3.0 pairs them [tck-id-host-topic-phid-death-payload].
    const host = this.opts.sparkplugHostId ? hostState(this.opts.sparkplugHostId, Date.now()) : null;
    const client = mqtt.connect(this.opts.url, {
      ...(host ? { will: { topic: host.will.topic, payload: Buffer.from(host.will.payload), qos: host.will.qos, retain: host.will.retain } } : {}),
      clientId: this.opts.clientId,
      clean: false,
      username: this.opts.username,
      password: this.opts.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // After a broker restart that lost the session, subscribe again by ourselves.
      resubscribe: true,
      incomingStore: new CommitBeforePubrec(async (packet) => {
        this.spoolPacket(packet);
        this.stats.received++;
        this.schedule();
      }),
    });
    this.client = client;
    client.handleMessage = (packet, done) => {
      if (packet.qos !== 2) this.stats.received++; // QoS 2 was counted when spooled
      this.onPublish(packet, done);
    };
    const onPacket = this.opts.onPacket;
    if (onPacket) {
      client.on("packetsend", (p) => onPacket(p, "client"));
      client.on("packetreceive", (p) => onPacket(p, "server"));
    }
    client.on("connect", () => {
      if (host) this.publishAsked(host.online);
      this.stats.connected = true;
      this.stats.lastError = null;
      this.emit("connect");
    });
    client.on("offline", () => {
      this.stats.connected = false;
      this.stats.lastError ??= "broker: connection lost, reconnecting every second";
      this.emit("offline");
    });
    client.on("error", (err) => {
      // Once per cause: a refusing broker answers every reconnect (each second) the same way.
      if (this.stats.lastError !== `broker: ${err.message}`) logger("bridge").warn({ error: err.message, code: (err as { code?: unknown }).code }, "broker connection failed; reconnecting");
      this.stats.lastError = `broker: ${err.message}`;
    });
    return new Promise((resolve, reject) => {
      client.once("connect", () => {
        client.subscribe(this.opts.filter, { qos: 2 }, (err, granted) => {
          if (err) return reject(err);
          // A broker may grant less than QoS 2 (RabbitMQ grants at most 1): recorded, and said in /api/health.
          if (granted?.[0]) this.stats.subscription = { filter: this.opts.filter, ...grantOf(2, granted[0].qos) };
          if (granted?.some((g) => g.qos === 128)) return reject(new Error(`broker refused the subscription to ${this.opts.filter}`));
          resolve();
        });
      });
      client.once("error", reject);
    });
  }

  getStats(): BridgeStats {
    return {
      ...this.stats,
      samplesSkipped: { ...this.stats.samplesSkipped },
      pending: this.memory.length + this.held.size() + this.spool.size(),
      conventions: this.interpreter.counts(),
      publishFailed: this.publishFailed,
    };
  }

  private onPublish(packet: IPublishPacket, done: (err?: Error) => void) {
    // QoS 2 reaches here at PUBREL, spooled before its PUBREC.
    if (packet.qos === 2) return done();
    if (packet.qos === 1) {
      if (this.spool.size() + this.held.size() >= this.opts.maxSpool) {
        // Backpressure: no PUBACK (and no next message) until the drain has made room.
        this.held.commitNow();
        this.flush().then(() => this.onPublish(packet, done), done);
        return;
      }
      const stream = this.client?.stream;
      if (this.stopping || !stream) {
        try {
          this.spoolPacket(packet);
        } catch (err) {
          // No PUBACK: the broker redelivers on the next connection.
          this.stats.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
          return;
        }
        this.schedule();
        return done();
      }
      // A broker that sends faster than it reads leaves our PUBACKs queued in this socket's
      // buffer, one object each: read nothing more until they have gone, so memory stays bounded.
      if (stream.writableLength > MAX_UNSENT_ACK_BYTES && !stream.destroyed) {
        this.held.commitNow();
        stream.once("drain", () => this.onPublish(packet, done));
        return;
      }
      // PUBACK now, into the corked socket: it leaves once the group has committed.
      this.held.add(stream, spoolable(packet));
      return done();
    }
    if (this.memory.length >= this.opts.maxPending) {
      this.stats.dropped++; // at most once: the store is down and memory is bounded
      return done();
    }
    this.memory.push(this.decode(received(packet), asEpochMs(Date.now())));
    this.schedule();
    done();
  }

  /** Decodes by the conventions, and sends what they ask to be sent in answer. */
  private decode(m: Received, ts: EpochMs): Decoded {
    const d = decodeMessage(m, ts, this.interpreter, null, this.listenerCount("decoded") > 0 ? (r) => this.emit("decoded", m.topic, r, ts) : undefined);
    if (d.publish) for (const p of d.publish) this.publishAsked(p);
    return d;
  }

  /** A message a convention asked for (a rebirth request) or the host STATE; counted when the broker does not take it. */
  private publishAsked(p: Outbound) {
    const client = this.client;
    if (!client?.connected) {
      this.publishFailed++;
      return;
    }
    client.publish(p.topic, typeof p.payload === "string" ? p.payload : Buffer.from(p.payload), { qos: p.qos, retain: p.retain }, (err) => {
      if (err) this.publishFailed++;
    });
  }

  private spoolPacket(packet: IPublishPacket) {
    const m = spoolable(packet);
    this.spool.put(m.ts, m.topic, m.qos, m.retain, m.dup, m.payload);
  }

  private schedule() {
    // While a batch commits the drain goes on to whatever is pending; a full batch goes behind it now.
    if (this.head) return this.sendBehind();
    if (this.memory.length + this.spool.size() >= this.opts.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
  }

  /** Moves everything received so far to the store; on a store error retries until stopped. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Joining the running drain rather than queueing another: during a store outage every
    // message would otherwise add a waiting drain, and memory would grow with the backlog.
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * Takes and decodes the next batch: spooled rows after `afterId`, then QoS 0 messages from
   * index `memoryFrom`. Only reads: nothing is released until the store has committed it.
   */
  private prepare(afterId: number, memoryFrom: number): PreparedBatch {
    const spooled = this.spool.takeAfter(afterId, this.opts.maxBatch);
    const fromMemory = this.memory.slice(memoryFrom, memoryFrom + Math.max(0, this.opts.maxBatch - spooled.length));
    const decoded = spooled.map((s) => {
      const d = this.decode(s, asEpochMs(s.ts));
      // Without a seq the spool row names the message; hashed only then, as it costs a SHA-1.
      if (d.row.ident === null) d.row.ident = spoolIdent(this.spool.instance, s.id);
      return d;
    });
    const all = decoded.concat(fromMemory);
    const devices = mergeDeviceUpdates(all.flatMap((d) => d.devices));
    const lastId = spooled.length > 0 ? spooled[spooled.length - 1]!.id : afterId;
    const skipped = all.flatMap((d) => (d.skipped ? [d.skipped] : []));
    return { batch: { messages: all.map((d) => d.row), devices }, messages: all.length, skipped, spooled: spooled.length, lastId, fromMemory: fromMemory.length };
  }

  /** Hands a prepared batch to the store; from here on only its counts are kept (PreparedBatch). */
  private send(prep: PreparedBatch): SentBatch {
    const committing = timeCommit(this.opts.store.append(prep.batch));
    prep.batch = EMPTY_BATCH;
    // Awaited in its turn; until then its failure must not count as unhandled.
    committing.catch(() => undefined);
    return { prep, committing };
  }

  /**
   * Moves batches to the store until nothing is pending. They commit one at a time, in order;
   * while one commits, the next is sent behind it as soon as a full batch is waiting (sendBehind),
   * so the store goes from one batch to the next without waiting for this thread to take and
   * decode it. The store writes a batch only if the one sent before it committed (Store.append),
   * so the spool is still released strictly in order.
   */
  private async drain(): Promise<void> {
    let retryMs = STORE_RETRY_FIRST_MS;
    while (this.memory.length > 0 || this.spool.size() > 0) {
      const cur: SentBatch = this.behind ?? this.send(this.prepare(0, 0));
      this.behind = null;
      this.head = cur;
      this.sendBehind();
      try {
        const result = await cur.committing;
        this.head = null;
        // Committed: now, and only now, the spool may forget them. A crash before this line
        // drains them again, and their identities keep the store from taking them twice.
        const done = cur.prep;
        if (done.spooled > 0) this.spool.release(done.lastId, done.spooled);
        this.memory = this.memory.slice(done.fromMemory);
        this.stats.stored += result.stored;
        this.stats.duplicates += result.duplicates;
        for (const reason of done.skipped) this.stats.samplesSkipped[reason]++;
        this.stats.lastError = null;
        retryMs = STORE_RETRY_FIRST_MS;
        this.emit("committed", done.messages);
      } catch (err) {
        this.head = null;
        // The batch sent behind this one fails with it, unwritten: after the retry both are
        // taken afresh. Nothing more is sent behind it meanwhile.
        // (Set by sendBehind while the commit was awaited: TypeScript cannot see that.)
        const behind = this.behind as SentBatch | null;
        await behind?.committing.catch(() => undefined);
        this.behind = null;
        const error = this.storeFailed(err);
        if (this.stopped) throw error;
        await new Promise((r) => setTimeout(r, retryMs));
        retryMs = Math.min(retryMs * 2, STORE_RETRY_MAX_MS);
      }
    }
  }

  /**
   * Sends the next batch behind the one committing, once a full one is waiting: a smaller one,
   * sent now, would go to the store as it is while more arrives; sent later, it holds all of that.
   */
  private sendBehind(): void {
    const cur = this.head;
    if (!cur || this.behind) return;
    const waiting = this.spool.size() - cur.prep.spooled + this.memory.length - cur.prep.fromMemory;
    if (waiting < this.opts.maxBatch) return;
    try {
      this.behind = this.send(this.prepare(cur.prep.lastId, cur.prep.fromMemory));
    } catch (err) {
      // Called on the acknowledgement path, which must not fail for it: the drain takes this
      // batch again once the one committing is done.
      this.stats.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private storeFailed(err: unknown): Error {
    const error = err instanceof Error ? err : new Error(String(err));
    this.stats.lastError = `store: ${error.message}`;
    this.emit("storeError", error);
    return error;
  }

  /** Stops taking messages, moves what is pending to the store, and disconnects. */
  async stop(): Promise<void> {
    const client = this.client;
    // end() flushes a corked socket whatever its cork count: what it holds must be durable first.
    this.stopping = true;
    this.held.commitNow();
    if (client) {
      // Stop reading first, so nothing arrives after the last drain.
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    }
    this.stopped = true;
    // Until nothing is left, or the store fails (what is spooled waits for the next start).
    try {
      while (this.memory.length > 0 || this.spool.size() > 0) await this.flush();
    } catch {
      /* reported through storeError */
    }
    this.spool.close();
    this.stats.connected = false;
  }
}

function spoolable(packet: IPublishPacket): Spoolable {
  return { ts: Date.now(), ...received(packet) };
}

function received(packet: IPublishPacket): Received {
  return {
    topic: packet.topic,
    payload: typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload,
    qos: packet.qos as QoS,
    retain: packet.retain,
    dup: packet.dup,
  };
}
