/**
 * The one seam between a fleet's topic layout and everything else: a `Convention` reads one MQTT
 * message (with the state it has learned so far) and says what it means for which device. The
 * bridge, the browser's live view, the event feed, the trace's device attribution, the broker's
 * access rules and the command service all ask the same registry (lib/devices/registry.ts), so
 * they cannot disagree, and no module outside lib/devices/conventions parses a topic's layout.
 *
 * Pure: no I/O, no clock (the message brings its time), no randomness. A convention's state is
 * a plain object the caller keeps and the convention mutates in place (the bridge runs this for
 * every message, so a copy per message is too dear); every collection in it is bounded by a
 * named constant and refuses past it with a reason.
 */
import type { QoS } from "../mqtt/packet";
import type { DeviceId, DeviceStatus, EpochMs } from "./model";

/** `rule:<name>` for a user's own rule (FLEETSCOPE_CONVENTIONS). */
export type ConventionId = "demo" | "sparkplug" | "homie" | "homeassistant" | "zigbee2mqtt" | "tasmota" | `rule:${string}`;

/** One received message, as every convention sees it. */
export interface Inbound {
  topic: string;
  payload: Uint8Array;
  /** The payload as UTF-8, or null when it is too large to parse (MAX_PARSED_PAYLOAD_BYTES). */
  text: string | null;
  retain: boolean;
  qos: QoS;
  /** When it was received here. */
  ts: EpochMs;
}

/** A message a convention asks to be published (a Sparkplug rebirth request, a command). */
export interface Outbound {
  topic: string;
  payload: Uint8Array | string;
  qos: QoS;
  retain: boolean;
}

export interface Measurement {
  value: number;
  unit?: string;
  /** The topic it came from (a device may report on several). */
  topic: string;
}

export type EventLevel = "debug" | "info" | "notice" | "warning" | "error" | "critical";

export interface DeviceEventFact {
  kind: "alarm" | "log";
  level: EventLevel | string;
  text: string;
}

/**
 * How a command's completion shows on the device. JSON, since open commands outlive the process
 * (the command log stores them): the convention that issued it checks later messages against it.
 * - `reply`: a message on `topic` answers it (with `replyId` when the reply names the request);
 * - `echo`: the device's own state on `topic` shows `path` equal to `value`.
 */
export type Expectation =
  | { kind: "reply"; topic: string; replyId?: string }
  | { kind: "echo"; topic: string; path: string[]; value: string | number | boolean };

/** JSON Schema of a command's arguments: an object with typed properties (lib/devices/command-args.ts). */
export type ArgsJsonSchema = {
  type: "object";
  properties: Record<string, { type: "string" | "number" | "integer" | "boolean"; enum?: (string | number | boolean)[]; minimum?: number; maximum?: number; description?: string }>;
  required?: string[];
  additionalProperties?: false;
};

export interface CommandFact {
  name: string;
  description?: string;
  args: ArgsJsonSchema;
  /** Where the request is published. */
  topic: string;
  confirm: "reply" | "echo";
}

export interface Liveness {
  status: DeviceStatus;
  /** Why, in words an operator reads: "LWT Offline", "NDEATH bdSeq 3", "Homie $state lost". */
  reason: string;
  since: EpochMs;
}

/** What one message says about one device. Only what it says: absent keys change nothing. */
export interface DeviceFacts {
  /** URL-safe and unique across conventions (deviceIdFrom). */
  id: DeviceId;
  convention: ConventionId;
  /** The convention's own name: friendly name, Tasmota topic, Homie id, HA device name, Sparkplug device. */
  name: string;
  /** Site, Sparkplug group, HA area or bridge. */
  group: string;
  model?: string;
  maker?: string;
  /** False for a retained replay or a description: it says what the device is, not that it spoke now. */
  seen: boolean;
  liveness?: Liveness;
  measurements?: Record<string, Measurement>;
  events?: DeviceEventFact[];
  /** The commands the device takes, replacing those said before when present. */
  commands?: CommandFact[];
  /** The other conventions' sources that describe this same physical device ("ha:<topic>"), for display. */
  sources?: string[];
}

/** The counter a message carries for loss and duplicate counting. */
export interface SeqFact {
  value: number;
  /** Messages on one stream share one counter (a Sparkplug edge node's, across its topics). */
  stream: string;
  /** Sparkplug counts 0..255 and wraps; unset: no wrap. */
  modulo?: number;
  /** The counter starts afresh here (a Sparkplug NBIRTH): no loss is counted from the value before. */
  restart?: boolean;
}

export interface Interpretation {
  /** The device the message belongs to (stored with it, and counted for its delivery figures). */
  device: DeviceId | null;
  facts: DeviceFacts[];
  seq?: SeqFact;
  /** Messages the convention asks to be sent in answer (rate-limited by the convention itself). */
  publish?: Outbound[];
  /** The convention claims the topic but could not make sense of this message: said, counted, nothing changed. */
  problem?: string;
}

export interface Convention<S = unknown> {
  readonly id: ConventionId;
  /** Shown on the overview's badge and in GET /api/conventions. */
  readonly label: string;
  /** What a subscriber needs to see every message this convention reads (the browser's live feed). */
  readonly filters: readonly string[];
  /**
   * Reads only what no convention asked before it made a device of: a user's rule never makes a
   * second device of one a built-in convention already reads.
   */
  readonly onlyUnclaimed?: boolean;
  /** Filters learned from what was read (Home Assistant's state topics may be anywhere); bounded. */
  learnedFilters?(state: S): string[];
  initialState(): S;
  /** Cheap test on the topic alone, before any payload is parsed. */
  claims(topic: string, state: S): boolean;
  /**
   * Whose a topic is, from the topic alone, for a convention whose layout says it (a packet in
   * the trace, before any message on the topic was read). Others learn it from what they read.
   */
  deviceOfTopic?(topic: string, state: S): DeviceId | null;
  /** Null: nothing for this convention after all (no device, no problem). */
  interpret(msg: Inbound, state: S): Interpretation | null;
  /**
   * The request for a command, and what will confirm it. `id` is the command's own id (for a
   * reply that names it). Throws an Error whose message says what is wrong with the arguments.
   */
  encodeCommand?(device: DeviceFacts, command: CommandFact, args: Record<string, unknown>, id: string, state: S): { request: Outbound; expect: Expectation };
  /** Whether `msg` settles a command that expects `expect`: null, not yet. */
  confirms?(expect: Expectation, msg: Inbound, state: S): { ok: true; result?: unknown } | { ok: false; error: string } | null;
  /**
   * The topics a device registered under this convention with native name `name` may publish to
   * and subscribe to on the embedded broker, as MQTT filters.
   */
  deviceAccess?(name: string): { publish: string[]; subscribe: string[] };
  /**
   * What a late reader needs of the learned state, as bounded JSON (Sparkplug's metric aliases
   * from a BIRTH the browser tab never saw). `restore` takes it back in, validating it: it
   * crossed HTTP, so it is untrusted.
   */
  snapshot?(state: S): unknown;
  restore?(snapshot: unknown, state: S): void;
}

/**
 * A device id from a convention's prefix and native identifiers: letters, digits, `_` and `-` as
 * they are, every other byte as `~` and two hex digits, parts joined by `.`. Injective, so two
 * native names never share an id, and URL-safe as it is.
 */
export function deviceIdFrom(prefix: string, ...parts: string[]): DeviceId {
  return [prefix, ...parts].map(escapeIdPart).join(".") as DeviceId;
}

const SAFE = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextEncoder();

export function escapeIdPart(s: string): string {
  if (SAFE.test(s)) return s;
  let out = "";
  for (const ch of s) {
    if (/[A-Za-z0-9_-]/.test(ch)) out += ch;
    else for (const b of utf8.encode(ch)) out += `~${b.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The JSON of a payload's text when it is an object, else null (untrusted devices send all sorts). */
export function jsonObjectOf(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const first = text.trimStart()[0];
  if (first !== "{") return null; // skip the exception path for the common non-JSON payloads
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A finite number from a JSON value, including numeric strings devices often send ("21.5"). */
export function numberOf(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  return null;
}
