import "server-only";
/**
 * The bridge: subscribes to everything with a persistent session, stores every message, and
 * acknowledges a QoS 1/2 message only once the batch holding it has committed.
 *
 * MQTT.js handles incoming packets one at a time: the next one is not read until
 * `handleMessage` calls back, and for QoS 1 the PUBACK goes out at that call (STACK.md, gotcha 3).
 * So QoS 0 messages are acknowledged to MQTT.js at once and written in batches on a timer,
 * while a QoS 1 message forces the batch (itself and every QoS 0 before it) to commit first.
 * A QoS 2 message is committed before PUBREC, through a durable incoming store.
 */
import { EventEmitter } from "node:events";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { asEpochMs } from "../devices/model";
import type { DeviceUpdate, MessageRow, QoS, Store } from "../store/types";
import { CommitBeforePubrec } from "./commit-before-pubrec";
import { decodeMessage, mergeDeviceUpdates } from "./decode";

export interface BridgeOptions {
  url: string;
  username?: string;
  password?: string;
  /** Stable, so the broker keeps the session (and queued QoS 1/2 messages) across restarts. */
  clientId?: string;
  /** Subscription filter; `$share/<group>/#` lets several bridges split one stream. */
  filter?: string;
  store: Store;
  /** How long QoS 0 messages may wait for their batch. */
  flushIntervalMs?: number;
  /** A batch commits at once when it reaches this many messages. */
  maxBatch?: number;
  /** QoS 0 messages held while the store is failing; past this they are dropped and counted. */
  maxPending?: number;
}

export interface BridgeStats {
  connected: boolean;
  stored: number;
  /** Redeliveries recognised by their identity and not stored again. */
  duplicates: number;
  pending: number;
  dropped: number;
  lastError: string | null;
}

interface BridgeEvents {
  connect: [];
  offline: [];
  /** A batch committed: how many messages it held. */
  committed: [count: number];
  storeError: [error: Error];
}

/** Retry delay after a failed commit; the batch stays in memory and is written again. */
const STORE_RETRY_MS = 500;

export class Bridge extends EventEmitter<BridgeEvents> {
  private client: MqttClient | null = null;
  private pending: MessageRow[] = [];
  private pendingDevices: DeviceUpdate[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Serialises commits: a flush waits for the one before it. */
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly stats: BridgeStats = { connected: false, stored: 0, duplicates: 0, pending: 0, dropped: 0, lastError: null };
  private readonly opts: Required<Omit<BridgeOptions, "username" | "password">> & Pick<BridgeOptions, "username" | "password">;

  constructor(options: BridgeOptions) {
    super();
    this.opts = {
      clientId: "fleetscope-bridge",
      filter: "#",
      flushIntervalMs: 50,
      maxBatch: 5000,
      maxPending: 100_000,
      ...options,
    };
  }

  /** Resolves once connected and subscribed; keeps reconnecting afterwards. */
  start(): Promise<void> {
    const client = mqtt.connect(this.opts.url, {
      clientId: this.opts.clientId,
      clean: false,
      username: this.opts.username,
      password: this.opts.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // After a broker restart that lost the session, subscribe again by ourselves.
      resubscribe: true,
      incomingStore: new CommitBeforePubrec((packet) => {
        this.accept(packet);
        return this.flush();
      }),
    });
    this.client = client;
    client.handleMessage = (packet, done) => this.onPublish(packet, done);
    client.on("connect", () => {
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
      this.stats.lastError = `broker: ${err.message}`;
    });
    return new Promise((resolve, reject) => {
      client.once("connect", () => {
        client.subscribe(this.opts.filter, { qos: 2 }, (err, granted) => {
          if (err) return reject(err);
          if (granted?.some((g) => g.qos === 128)) return reject(new Error(`broker refused the subscription to ${this.opts.filter}`));
          resolve();
        });
      });
      client.once("error", reject);
    });
  }

  getStats(): BridgeStats {
    return { ...this.stats, pending: this.pending.length };
  }

  private onPublish(packet: IPublishPacket, done: (err?: Error) => void) {
    // QoS 2 reaches here at PUBREL, already committed before its PUBREC.
    if (packet.qos === 2) return done();
    if (packet.qos === 0 && this.pending.length >= this.opts.maxPending) {
      this.stats.dropped++; // at most once: the store is down and memory is bounded
      return done();
    }
    this.accept(packet);
    if (packet.qos === 0) {
      if (this.pending.length >= this.opts.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
      return done();
    }
    // QoS 1: the PUBACK waits for the commit that holds this message.
    this.flush().then(() => done(), done);
  }

  /** Decodes a received message into the pending batch. */
  private accept(packet: IPublishPacket) {
    const { row, device } = decodeMessage(
      {
        topic: packet.topic,
        payload: typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload,
        qos: packet.qos as QoS,
        retain: packet.retain,
        dup: packet.dup,
      },
      asEpochMs(Date.now()),
    );
    this.pending.push(row);
    if (device) this.pendingDevices.push(device);
  }

  /** Commits everything pending; on a store error keeps it and tries again until stopped. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.writing = this.writing.then(async () => {
      while (this.pending.length > 0) {
        const messages = this.pending;
        const devices = mergeDeviceUpdates(this.pendingDevices);
        this.pending = [];
        this.pendingDevices = [];
        try {
          const result = await this.opts.store.append({ messages, devices });
          this.stats.stored += result.stored;
          this.stats.duplicates += result.duplicates;
          this.stats.lastError = null;
          this.emit("committed", messages.length);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          this.pending = messages.concat(this.pending);
          this.pendingDevices = devices.concat(this.pendingDevices);
          this.stats.lastError = `store: ${error.message}`;
          this.emit("storeError", error);
          if (this.stopped) throw error;
          await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
        }
      }
    });
    return this.writing;
  }

  /** Stops taking messages, commits what is pending, and disconnects. */
  async stop(): Promise<void> {
    const client = this.client;
    if (client) {
      // Stop reading first, so nothing arrives after the last commit.
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    }
    this.stopped = true;
    await this.flush().catch(() => undefined);
    this.stats.connected = false;
  }
}
