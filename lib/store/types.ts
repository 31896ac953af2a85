/** The storage interface. Every implementation passes the contract suite in test/store.contract.ts. */
import type { QoS } from "../mqtt/packet";
import type { ConventionId } from "../devices/convention";
import type { DeviceId, DeviceMeta, DeviceStatus, DeviceValue, DeviceWithValues, EpochMs } from "../devices/model";
import type { CommandLog } from "./command-log";
import type { SeqStream } from "./delivery";
import type { Sample, SeriesPoint } from "./series-plan";
import type { AlertStore } from "./alerts";
import type { CaptureStore } from "./captures";
import type { RuleStore } from "./rules";
import type { UserStore } from "./users";

export type { Sample };


/** One MQTT message as the bridge received it, ready to store. */
export interface MessageRow {
  ts: EpochMs;
  topic: string;
  device: DeviceId | null;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  seq: number | null;
  payload: Uint8Array;
  /** The payload was longer than MAX_STORED_PAYLOAD_BYTES and only its head is kept. */
  truncated: boolean;
  /**
   * Identity for exactly-once storage, from topic, seq and payload; null without a seq. A second
   * row with the same identity (a redelivery) is counted as a duplicate and not stored, unless it
   * is a new message that happens to repeat an old one (see REDELIVERY_WINDOW_MS).
   */
  ident: bigint | null;
  /** Numeric telemetry fields; stored as samples (and rollups) for the row's device. */
  fields: Record<string, number> | null;
  /**
   * A counter that is not the topic's own (`seq` is then null): one shared by several topics,
   * or one that wraps (a Sparkplug edge node's 0..255). Stored apart, so loss is counted over
   * the whole stream in arrival order (lib/store/delivery.ts).
   */
  sharedSeq?: SharedSeq | null;
}

export interface SharedSeq {
  stream: string;
  seq: number;
  /** 0: no wrap. */
  modulo: number;
  restart: boolean;
}

/** What a batch says about one device; the store merges it into the registry. */
export interface DeviceUpdate {
  id: DeviceId;
  /** The device's group (site, Sparkplug group, HA area, bridge). */
  site: string;
  /** Unset: the id (the demo fleet's name is its id). */
  name?: string;
  /** Unset: `demo`. */
  convention?: ConventionId;
  /** 0: the message said what the device is, not that it spoke (a retained replay). */
  lastSeen: EpochMs;
  status?: DeviceStatus;
  /** With status: why, and since when (kept from before when the status did not change). */
  statusReason?: string;
  since?: EpochMs;
  values?: Record<string, DeviceValue>;
  meta?: DeviceMeta;
}

export interface Batch {
  messages: MessageRow[];
  devices: DeviceUpdate[];
}

/** What `append` did: rows stored, and redeliveries recognised and not stored again. */
export interface AppendResult {
  stored: number;
  duplicates: number;
}

export interface SeriesQuery {
  device: DeviceId;
  field: string;
  from: EpochMs;
  to: EpochMs;
  /** At most this many buckets come back. */
  points: number;
}

export interface DeliveryQuery {
  device: DeviceId;
  from: EpochMs;
  to: EpochMs;
}

export interface Series {
  bucketMs: number;
  points: SeriesPoint[];
}

export interface StoredMessage {
  ts: EpochMs;
  topic: string;
  qos: QoS;
  retain: boolean;
  payload: string;
  encoding: "utf8" | "base64";
  seq: number | null;
  truncated: boolean;
}

/** A device's status as it changed, with why (the convention's reason). */
export interface StoredStatusChange {
  ts: EpochMs;
  status: DeviceStatus;
  reason: string | null;
}

export interface StatusHistoryQuery {
  device: DeviceId;
  from: EpochMs;
  to: EpochMs;
  limit: number;
}

export interface StatusHistory {
  /** In [from, to], newest first, at most `limit`. */
  changes: StoredStatusChange[];
  /** The last change before `from`: the status the range opens with. */
  before: StoredStatusChange | null;
  /** More changes lie in the range than `limit`: the oldest are left out. */
  truncated: boolean;
}

export interface MessageQuery {
  /** A topic name or an MQTT filter with `+` / `#`, already validated. */
  topic?: string;
  from?: EpochMs;
  to?: EpochMs;
  limit: number;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
  /**
   * `desc` (the default) newest first; `asc` oldest first, for playback. A cursor is a position,
   * so one from either order pages on from there in the order asked for.
   */
  order?: "asc" | "desc";
}

export interface MessagePage {
  messages: StoredMessage[];
  next: string | null;
}

/** Numeric samples of the messages in a window, oldest first, for a CSV of series (GET /api/export). */
export interface SampleQuery {
  /** A topic name or an MQTT filter with `+` / `#`, already validated: the samples of the messages on it. */
  topic?: string;
  from: EpochMs;
  to: EpochMs;
  /** Messages per page (each carries one sample per field). */
  limit: number;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
}

export interface StoredSample {
  ts: EpochMs;
  topic: string;
  device: DeviceId;
  field: string;
  value: number;
}

export interface SamplePage {
  /** By message time, then field name. */
  samples: StoredSample[];
  next: string | null;
}

/** Each topic's last message at or before `at` (time travel, issue 20). */
export interface TopicsAtQuery {
  at: EpochMs;
  /** A topic name or an MQTT filter with `+` / `#`, already validated. */
  topic?: string;
  limit: number;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
}

/**
 * A topic's last message at or before an instant, with how many messages the topic had received
 * by then (this one included, and any pruned since). Counted in the order messages were stored:
 * one stored late, older than its topic's newest, can put the counts between them off by one.
 */
export type TopicAtMessage = StoredMessage & { count: number };

export interface TopicsAtPage {
  /** Topics matching the filter that had received a message by `at`. */
  count: number;
  /** In topic order (bytewise), each topic's last message at or before `at`. */
  items: TopicAtMessage[];
  next: string | null;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Commands sent to devices, with their lifecycle: the audit trail (kept past retention). */
  readonly commands: CommandLog;
  /** Users and sessions (lib/store/users.ts). */
  readonly users: UserStore;
  /** A user's own convention rules saved from /topics, with their audit trail (lib/store/rules.ts). */
  readonly rules: RuleStore;
  /** Imported packet captures' summaries (lib/store/captures.ts). */
  readonly captures: CaptureStore;
  /** Alert rules, states, transitions, episodes, silences and the notification outbox (lib/store/alerts.ts). */
  readonly alerts: AlertStore;
  /**
   * Writes the batch in one transaction; resolves only once it is durable. Batches are written
   * in call order, and one sent while an earlier one is pending is written only if that one
   * was: otherwise it fails too, unwritten, so a caller that keeps two in flight never finds the
   * second stored and the first not.
   */
  append(batch: Batch): Promise<AppendResult>;
  /** Every device, each with its latest values (the overview's cards show them before any live message). */
  listDevices(): Promise<DeviceWithValues[]>;
  getDevice(id: DeviceId): Promise<DeviceWithValues | null>;
  /**
   * Every device that had spoken by `at`, as `listDevices` would have listed it then: the status
   * and reason of its last status change at or before `at`, the last value of each field at or
   * before `at`, and the last time it published. Indexed lookups per device, never a scan.
   */
  listDevicesAt(at: EpochMs): Promise<DeviceWithValues[]>;
  /** Each matching topic's last message at or before `at`, paged: one index lookup per topic. */
  queryTopicsAt(query: TopicsAtQuery): Promise<TopicsAtPage>;
  /** Newest first, unless `order` is `asc`. */
  queryMessages(query: MessageQuery): Promise<MessagePage>;
  /** How many messages lie in [from, to] (read from the time index; a topic filter narrows this, so it is an upper bound). */
  countMessages(from: EpochMs, to: EpochMs): Promise<number>;
  /** The samples of the messages in the window, paged by message. */
  querySamples(query: SampleQuery): Promise<SamplePage>;
  /** Aggregated in the database (raw samples, or minute or hour rollups for long ranges). */
  querySeries(query: SeriesQuery): Promise<Series>;
  /** The device's status changes in [from, to], each with its reason, for every convention. */
  queryStatusHistory(query: StatusHistoryQuery): Promise<StatusHistory>;
  /** Each topic's seq stream of a device in [from, to], and the duplicates recognised per QoS. */
  queryDelivery(query: DeliveryQuery): Promise<{ streams: SeqStream[]; duplicates: Map<QoS, number> }>;
  /**
   * Deletes up to `maxRows` rows per table older than `before` (messages, samples, rollups,
   * duplicates); returns how much went (rows, or whole day partitions), 0 once nothing older is
   * left. Small chunks, so ingest never waits long on it.
   */
  prune(before: EpochMs, maxRows: number): Promise<number>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Payload bytes kept per message; longer payloads keep their head and are marked truncated. */
export const MAX_STORED_PAYLOAD_BYTES = 1024 * 1024;

export class InvalidCursorError extends Error {
  constructor() {
    super("is not one this server issued");
    this.name = "InvalidCursorError";
  }
}

/**
 * How long after a message its identity still marks an unflagged copy as a redelivery. Copies
 * come again within minutes: a device resends an unacknowledged PUBLISH once it has noticed the
 * dead connection and reconnected (its keepalive, 60 s by default, and backoff), and a bridge's
 * retried batch and re-drained spool keep their first receipt time. A broker's own redelivery to
 * the bridge carries DUP and is one at any age. Past the window, an unflagged copy is a new
 * message: a rebooted device's counter starts again, and its first message can repeat byte for
 * byte one sent before the reboot; dropping it would lose data, keeping a late resend stores it twice.
 */
export const REDELIVERY_WINDOW_MS = 5 * 60_000;

/** Whether a row whose identity was claimed at `claimedAt` is a redelivery of that message. */
export const isRedelivery = (row: Pick<MessageRow, "ts" | "dup">, claimedAt: number) => row.dup || row.ts - claimedAt <= REDELIVERY_WINDOW_MS;
