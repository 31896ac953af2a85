import "server-only";
/**
 * The bridge: subscribes to everything with a persistent session, stores every message, and
 * acknowledges a QoS 1/2 message only once it is durable. Two parts around one spool:
 * - its MQTT session (session.ts) connects, subscribes, and acknowledges each QoS 1/2 message
 *   once the spool has committed it;
 * - its drainer (drainer.ts) moves spooled and QoS 0 messages to the store in large batches,
 *   and releases the spool rows once the store has committed them.
 * Both read messages by the device conventions through the one interpreter here.
 */
import { EventEmitter } from "node:events";
import type { Packet } from "mqtt";
import type { EpochMs } from "../devices/model";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import type { Convention } from "../devices/convention";
import { Interpreter, type ConventionCounts, type Reading } from "../devices/registry";
import type { Store } from "../store/types";
import { decodeMessage, type Decoded, type Received, type SampleSkip } from "./decode";
import { Drainer } from "./drainer";
import { Session } from "./session";
import { Spool } from "./spool";
import type { Grant } from "../qos/granted";

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
  /** Each packet the bridge's client sends or receives, for tracing its hop (docs/architecture.md, gotcha 3). */
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

export class Bridge extends EventEmitter<BridgeEvents> {
  private readonly spool: Spool;
  private readonly drainer: Drainer;
  private readonly session: Session;
  /** Reads each message by the conventions; its learned state lives as long as the bridge. */
  readonly interpreter: Interpreter;
  /** The last error, of the session's or the drainer's: the newest cause wins, a commit or a connection clears it. */
  private readonly health = { lastError: null as string | null };

  constructor(options: BridgeOptions) {
    super();
    const opts = { clientId: "fleetscope-bridge", filter: "#", flushIntervalMs: 50, maxBatch: 5000, maxPending: 100_000, maxSpool: 1_000_000, ...options };
    this.interpreter = new Interpreter(options.conventions ?? BUILT_IN_CONVENTIONS);
    this.spool = new Spool(opts.spoolPath);
    const decode = (m: Received, ts: EpochMs) => this.decode(m, ts);
    this.drainer = new Drainer({ store: opts.store, spool: this.spool, decode, flushIntervalMs: opts.flushIntervalMs, maxBatch: opts.maxBatch, health: this.health });
    this.session = new Session({
      url: opts.url,
      username: opts.username,
      password: opts.password,
      clientId: opts.clientId,
      filter: opts.filter,
      spool: this.spool,
      drainer: this.drainer,
      decode,
      maxPending: opts.maxPending,
      maxSpool: opts.maxSpool,
      sparkplugHostId: opts.sparkplugHostId,
      onPacket: opts.onPacket,
      health: this.health,
    });
    this.drainer.on("committed", (count) => this.emit("committed", count));
    this.drainer.on("storeError", (error) => this.emit("storeError", error));
    this.session.on("connect", () => this.emit("connect"));
    this.session.on("offline", () => this.emit("offline"));
  }

  /** Drains what a previous run left in the spool, then connects and subscribes. */
  async start(): Promise<void> {
    await this.drainer.start();
    await this.session.start();
  }

  getStats(): BridgeStats {
    const session = this.session.stats();
    const drained = this.drainer.stats();
    return {
      connected: session.connected,
      received: session.received,
      stored: drained.stored,
      duplicates: drained.duplicates,
      dropped: session.dropped,
      samplesSkipped: drained.samplesSkipped,
      lastError: this.health.lastError,
      subscription: session.subscription,
      pending: this.drainer.pending() + this.session.unspooled(),
      conventions: this.interpreter.counts(),
      publishFailed: session.publishFailed,
    };
  }

  /** Moves everything received so far to the store; on a store error retries until stopped. */
  flush(): Promise<void> {
    return this.drainer.flush();
  }

  /** Stops taking messages, moves what is pending to the store, and disconnects. */
  async stop(): Promise<void> {
    // Stop reading first, so nothing arrives after the last drain.
    await this.session.end();
    // Until nothing is left, or the store fails (what is spooled waits for the next start).
    await this.drainer.finish();
    this.spool.close();
    this.session.closed();
  }

  /** Decodes by the conventions, and sends what they ask to be sent in answer. */
  private decode(m: Received, ts: EpochMs): Decoded {
    const d = decodeMessage(m, ts, this.interpreter, null, this.listenerCount("decoded") > 0 ? (r) => this.emit("decoded", m.topic, r, ts) : undefined);
    if (d.publish) for (const p of d.publish) this.session.publish(p);
    return d;
  }
}
