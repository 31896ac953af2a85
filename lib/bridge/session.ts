import "server-only";
/**
 * The bridge's MQTT session: connects with a persistent session, subscribes at QoS 2, and
 * acknowledges each QoS 1/2 message only once it is durable in the spool.
 *
 * MQTT.js handles incoming packets one at a time: the next one is not read until
 * `handleMessage` calls back, and for QoS 1 the PUBACK goes out at that call; for QoS 2 the
 * PUBREC goes out once its incoming store has the packet (docs/architecture.md, gotcha 2). Committing a
 * whole store batch on that path caps throughput at one message per commit, so:
 * - QoS 1: committed to the local spool with the others of the same socket read, in one
 *   transaction, their PUBACKs held in the corked socket until it commits (held-acks.ts);
 * - QoS 2: committed alone to the spool before its PUBREC (commit-before-pubrec.ts);
 * - QoS 0: at most once by definition, handed to the drainer in memory;
 * - the drainer (drainer.ts) moves them to the store in large batches.
 */
import { EventEmitter } from "node:events";
import mqtt, { type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import { asEpochMs, type EpochMs } from "../devices/model";
import type { Outbound } from "../devices/convention";
import { hostState } from "../devices/conventions/sparkplug";
import type { QoS } from "../mqtt/packet";
import { CommitBeforePubrec } from "./commit-before-pubrec";
import type { Decoded, Received } from "./decode";
import type { Drainer } from "./drainer";
import { HeldAcks } from "./held-acks";
import type { Spool, Spoolable } from "./spool";
import { logger } from "../log/logger";
import { grantOf, type Grant } from "../qos/granted";

export interface SessionOptions {
  url: string;
  username?: string;
  password?: string;
  /** Stable, so the broker keeps the session (and queued QoS 1/2 messages) across restarts. */
  clientId: string;
  /** Subscription filter; `$share/<group>/#` lets several bridges split one stream. */
  filter: string;
  /** Where QoS 1/2 messages are made durable before they are acknowledged. */
  spool: Spool;
  /** Takes them from there, and QoS 0 messages from memory, to the store. */
  drainer: Drainer;
  /** Reads a QoS 0 message by the conventions as it arrives. */
  decode: (m: Received, ts: EpochMs) => Decoded;
  /** QoS 0 messages held while the store is failing; past this they are dropped and counted. */
  maxPending: number;
  /** Spooled messages waiting for the store, at most; past this no QoS 1/2 is acknowledged until the store catches up. */
  maxSpool: number;
  /** As a Sparkplug host application, its id: STATE online while connected, offline by its Will. */
  sparkplugHostId?: string;
  /** Each packet the client sends or receives, for tracing its hop (docs/architecture.md, gotcha 3). */
  onPacket?: (packet: Packet, from: "client" | "server") => void;
  /** The bridge's last error, one slot for its session and its drainer (BridgeStats.lastError). */
  health: { lastError: string | null };
}

export interface SessionStats {
  connected: boolean;
  /** PUBLISH packets the broker handed over (QoS 2 once, at its PUBREC; a redelivery counts again). */
  received: number;
  /** QoS 0 messages dropped while the drainer held maxPending of them. */
  dropped: number;
  /** What the broker's SUBACK granted the QoS 2 subscription; null until it came. */
  subscription: (Grant & { filter: string }) | null;
  /** Messages asked to be sent (rebirth requests, the host STATE) that the broker did not take. */
  publishFailed: number;
}

interface SessionEvents {
  connect: [];
  offline: [];
}

/** Acknowledgement bytes waiting in the socket, at most, before the bridge stops reading (16k PUBACKs). */
const MAX_UNSENT_ACK_BYTES = 64 * 1024;

export class Session extends EventEmitter<SessionEvents> {
  private client: MqttClient | null = null;
  /** QoS 1 messages received and not yet spooled; their PUBACKs wait for the group's commit. */
  private readonly held: HeldAcks<Spoolable>;
  /** Set once end() has begun: from then on each QoS 1 message commits alone, as end() flushes the socket. */
  private stopping = false;
  private readonly counts: SessionStats = { connected: false, received: 0, dropped: 0, subscription: null, publishFailed: 0 };

  constructor(private readonly opts: SessionOptions) {
    super();
    this.held = new HeldAcks(
      (messages) => {
        opts.spool.putMany(messages);
        opts.drainer.schedule();
      },
      (err) => {
        // The socket went with the PUBACKs: the broker redelivers on the next connection.
        opts.health.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  }

  /** Connects and subscribes; resolves once the broker has answered the subscription. */
  start(): Promise<void> {
    const { opts } = this;
    // One timestamp for the session's birth and its Will, as Sparkplug 3.0 pairs them [tck-id-host-topic-phid-death-payload].
    const host = opts.sparkplugHostId ? hostState(opts.sparkplugHostId, Date.now()) : null;
    const client = mqtt.connect(opts.url, {
      ...(host ? { will: { topic: host.will.topic, payload: Buffer.from(host.will.payload), qos: host.will.qos, retain: host.will.retain } } : {}),
      clientId: opts.clientId,
      clean: false,
      username: opts.username,
      password: opts.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // After a broker restart that lost the session, subscribe again by ourselves.
      resubscribe: true,
      incomingStore: new CommitBeforePubrec(async (packet) => {
        this.spoolPacket(packet);
        this.counts.received++;
        opts.drainer.schedule();
      }),
    });
    this.client = client;
    client.handleMessage = (packet, done) => {
      if (packet.qos !== 2) this.counts.received++; // QoS 2 was counted when spooled
      this.onPublish(packet, done);
    };
    const onPacket = opts.onPacket;
    if (onPacket) {
      client.on("packetsend", (p) => onPacket(p, "client"));
      client.on("packetreceive", (p) => onPacket(p, "server"));
    }
    client.on("connect", () => {
      if (host) this.publish(host.online);
      this.counts.connected = true;
      opts.health.lastError = null;
      this.emit("connect");
    });
    client.on("offline", () => {
      this.counts.connected = false;
      opts.health.lastError ??= "broker: connection lost, reconnecting every second";
      this.emit("offline");
    });
    client.on("error", (err) => {
      // Once per cause: a refusing broker answers every reconnect (each second) the same way.
      if (opts.health.lastError !== `broker: ${err.message}`) logger("bridge").warn({ error: err.message, code: (err as { code?: unknown }).code }, "broker connection failed; reconnecting");
      opts.health.lastError = `broker: ${err.message}`;
    });
    return new Promise((resolve, reject) => {
      client.once("connect", () => {
        client.subscribe(opts.filter, { qos: 2 }, (err, granted) => {
          if (err) return reject(err);
          // A broker may grant less than QoS 2 (RabbitMQ grants at most 1): recorded, and said in /api/health.
          if (granted?.[0]) this.counts.subscription = { filter: opts.filter, ...grantOf(2, granted[0].qos) };
          if (granted?.some((g) => g.qos === 128)) return reject(new Error(`broker refused the subscription to ${opts.filter}`));
          resolve();
        });
      });
      client.once("error", reject);
    });
  }

  stats(): SessionStats {
    return { ...this.counts };
  }

  /** QoS 1 messages received whose spool commit (and PUBACK) is still to come. */
  unspooled(): number {
    return this.held.size();
  }

  /** Sends a message a convention asked for (a rebirth request) or the host STATE; counted when the broker does not take it. */
  publish(p: Outbound): void {
    const client = this.client;
    if (!client?.connected) {
      this.counts.publishFailed++;
      return;
    }
    client.publish(p.topic, typeof p.payload === "string" ? p.payload : Buffer.from(p.payload), { qos: p.qos, retain: p.retain }, (err) => {
      if (err) this.counts.publishFailed++;
    });
  }

  /** Stops reading: commits what waits for its acknowledgement, then ends the connection. */
  async end(): Promise<void> {
    const client = this.client;
    // end() flushes a corked socket whatever its cork count: what it holds must be durable first.
    this.stopping = true;
    this.held.commitNow();
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }

  /** Says disconnected, once the bridge has moved what it received to the store after end(). */
  closed(): void {
    this.counts.connected = false;
  }

  private onPublish(packet: IPublishPacket, done: (err?: Error) => void) {
    const { spool, drainer } = this.opts;
    // QoS 2 reaches here at PUBREL, spooled before its PUBREC.
    if (packet.qos === 2) return done();
    if (packet.qos === 1) {
      if (spool.size() + this.held.size() >= this.opts.maxSpool) {
        // Backpressure: no PUBACK (and no next message) until the drain has made room.
        this.held.commitNow();
        drainer.flush().then(() => this.onPublish(packet, done), done);
        return;
      }
      const stream = this.client?.stream;
      if (this.stopping || !stream) {
        try {
          this.spoolPacket(packet);
        } catch (err) {
          // No PUBACK: the broker redelivers on the next connection.
          this.opts.health.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
          return;
        }
        drainer.schedule();
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
    if (drainer.held() >= this.opts.maxPending) {
      this.counts.dropped++; // at most once: the store is down and memory is bounded
      return done();
    }
    drainer.add(this.opts.decode(received(packet), asEpochMs(Date.now())));
    done();
  }

  private spoolPacket(packet: IPublishPacket) {
    const m = spoolable(packet);
    this.opts.spool.put(m.ts, m.topic, m.qos, m.retain, m.dup, m.payload);
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
