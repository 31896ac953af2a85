/**
 * Packets as SQLite rows: the payload in a column of its own, stored as it came (a Buffer as a
 * BLOB, a string as TEXT: a column without type affinity keeps either), the rest as JSON. A
 * packet read back has the same own keys as the one stored, including keys set to `undefined`
 * (aedes' packets carry `messageId: undefined` until one is assigned), and Buffers nested in MQTT 5
 * properties stay Buffers. Pure.
 */

export type Payload = Buffer | string;
export type StoredPacket = Record<string, unknown>;

export interface EncodedPacket {
  /** Null when the packet has no payload (a PUBREL). */
  payload: Payload | null;
  meta: string;
}

/**
 * Reserved meta keys (MQTT packet fields never start with `$`): the own keys whose value is not in
 * the JSON (undefined, or kept in a column), and a Buffer's bytes.
 */
const KEYS_ELSEWHERE = "$keys";
const BUFFER = "$buffer";

function isPayload(v: unknown): v is Payload {
  return typeof v === "string" || Buffer.isBuffer(v);
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return { [BUFFER]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64") };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const encoded = (value as Record<string, unknown>)[BUFFER];
    if (typeof encoded === "string" && Object.keys(value).length === 1) return Buffer.from(encoded, "base64");
  }
  return value;
}

/**
 * `lifted`: keys kept in columns of their own (a queued packet's `messageId`, which changes while
 * the row stays); only whether the packet had them is recorded here.
 */
export function encodePacket(packet: object, lifted: readonly string[] = []): EncodedPacket {
  const rest: Record<string, unknown> = {};
  const elsewhere: string[] = [];
  let payload: Payload | null = null;
  let nested = false;
  const fields = packet as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === "function") continue; // aedes' write callbacks ride on its packets
    if (key === "payload" && isPayload(value)) payload = value;
    else if (value === undefined || lifted.includes(key)) elsewhere.push(key);
    else {
      if (value !== null && typeof value === "object") nested = true;
      rest[key] = value;
    }
  }
  if (elsewhere.length > 0) rest[KEYS_ELSEWHERE] = elsewhere;
  // The replacer costs a call per value: only packets with nested values (properties) need it.
  return { payload, meta: nested ? JSON.stringify(rest, replacer) : JSON.stringify(rest) };
}

/** `lifted`: the values of the lifted keys, from their columns (null as undefined). */
export function decodePacket(payload: Payload | null, meta: string, lifted: Record<string, unknown> = {}): StoredPacket {
  const packet = (meta.includes(BUFFER) ? JSON.parse(meta, reviver) : JSON.parse(meta)) as StoredPacket;
  const elsewhere = packet[KEYS_ELSEWHERE] as string[] | undefined;
  if (elsewhere) {
    delete packet[KEYS_ELSEWHERE];
    for (const key of elsewhere) packet[key] = lifted[key] ?? undefined;
  }
  if (payload !== null) packet.payload = payload;
  return packet;
}

/**
 * A copy in the shape aedes gives a packet it queues or keeps (aedes-packet's `Packet`): only the
 * fields a delivery needs, and `messageId` unassigned for QoS 1 and 2 and for PUBREL, as aedes'
 * in-memory persistence stores them.
 */
export function asAedesPacket(original: StoredPacket): StoredPacket {
  const p: StoredPacket = {};
  for (const key of ["clientId", "nl", "properties", "messageExpiry"]) if (Object.hasOwn(original, key)) p[key] = original[key];
  p.cmd = original.cmd || "publish";
  p.brokerId = original.brokerId || undefined;
  p.brokerCounter = original.brokerCounter || 0;
  p.topic = original.topic;
  p.payload = original.payload || Buffer.alloc(0);
  p.qos = original.qos || 0;
  p.retain = original.retain || false;
  p.dup = original.dup || false;
  if ((p.qos as number) > 0 || p.cmd !== "publish") p.messageId = undefined; // [MQTT-2.3.1-1]
  return p;
}

/** A packet as the caller may not change it later: its own fields, without aedes' write callbacks. */
export function snapshot(packet: object): StoredPacket {
  const fields = packet as Record<string, unknown>;
  const copy: StoredPacket = {};
  for (const key of Object.keys(fields)) if (typeof fields[key] !== "function") copy[key] = fields[key];
  return copy;
}
