/**
 * The protocol fuzzer's packets: valid MQTT 3.1.1 and 5 control packets of every type (CONNECT
 * to DISCONNECT, and AUTH), built field by field, then mutated: bits and bytes, a string's length
 * prefix, the type and its reserved flags, the Remaining Length (claims of 0, 127/128,
 * 16383/16384, 2097151/2097152 and 268435455 whatever the body, over-long encodings), truncation,
 * bytes added or removed, invalid UTF-8. Bodies are also sized to land exactly on the Remaining
 * Length's byte boundaries. Pure and seeded: a connection is a function of (seed, index) alone,
 * so one failing connection replays by itself. Layouts: MQTT 3.1.1 §2–3, MQTT 5.0 §2–3.
 */
import { encodeLength } from "../../lib/qos/client-tap";
import { PACKET_TYPES } from "../../lib/mqtt/packet";
import { mixSeed, Prng } from "./prng";

export type Level = 4 | 5;
// The spec's packet types by code, as the tap framer names them.
export const PACKET_KINDS = PACKET_TYPES;
export type Kind = (typeof PACKET_KINDS)[number];

/** The largest Remaining Length four bytes can say [MQTT-2.2.3]. */
export const MAX_REMAINING_LENGTH = 268_435_455;
/** Remaining Lengths where its encoding gains a byte, and the largest. */
export const LENGTH_LIMITS = [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, MAX_REMAINING_LENGTH] as const;
/** Body sizes built for real (the larger limits are only ever claimed, never sent). */
const BUILT_SIZES = [127, 128, 16_383, 16_384] as const;

export interface FuzzPacket {
  kind: Kind;
  level: Level;
  bytes: Uint8Array;
  /** What was done to the valid packet, in order; empty when it is sent as built. */
  mutations: string[];
}

export type Transport = "tcp" | "websocket";

export interface FuzzConnection {
  /** The connection's place in the run; with the seed, all it takes to make it again. */
  index: number;
  transport: Transport;
  packets: FuzzPacket[];
  /** The packets' bytes as written, one write (a WebSocket message) each. */
  chunks: Uint8Array[];
}

export interface FuzzOptions {
  seed: number;
  /** Share of connections over the WebSocket endpoint. */
  webSocketShare?: number;
  /** Off: only valid MQTT 3.1.1 client packets after a valid CONNECT (the benchmark's reference). */
  mutate?: boolean;
}

/** Topic names and filters the fuzzer uses: all under `fuzz/`, so no filter of it matches a probe's topic. */
const TOPICS = ["fuzz/a", "fuzz/b/c", "fuzz/a/b/c/d", "fuzz/ü/日本", "fuzz/"];
const BAD_TOPICS = ["fuzz/+/x", "fuzz/#", "", "$SYS/fuzz", "fuzz/\u0000", "fuzz/\ud800"];
const FILTERS = ["fuzz/#", "fuzz/+", "fuzz/a", "fuzz/+/c", "fuzz/+/+/+/d", "$SYS/fuzz/#", "$share/g/fuzz/a"];
const BAD_FILTERS = ["fuzz/#/x", "fuzz/a+", "", "fuzz/+x/#", "fuzz\u0000"];
/** Client ids come from a small pool, so sessions kept by clean-session-0 connections stay few. */
const CLIENT_IDS = 32;

const utf8 = new TextEncoder();

/** A packet body being written, with the offsets of its length fields for the mutations that aim at them. */
class Body {
  private buf = new Uint8Array(64);
  length = 0;
  /** Offsets of two-byte length prefixes (of strings and binary data). */
  readonly lengthFields: number[] = [];
  /** Offsets and lengths of UTF-8 string contents. */
  readonly strings: [at: number, length: number][] = [];

  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number): this {
    this.room(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  u16(n: number): this {
    return this.byte(n >> 8).byte(n);
  }
  u32(n: number): this {
    return this.byte(n >>> 24)
      .byte(n >>> 16)
      .byte(n >>> 8)
      .byte(n);
  }
  varint(n: number): this {
    for (const b of varint(n)) this.byte(b);
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
  /** Binary Data: two-byte length, then the bytes [MQTT-1.5.6]. */
  binary(bytes: Uint8Array): this {
    this.lengthFields.push(this.length);
    return this.u16(bytes.length).raw(bytes);
  }
  /** A UTF-8 Encoded String [MQTT-1.5.3]; its content is a target for invalid UTF-8. */
  str(s: string): this {
    const b = utf8.encode(s);
    this.strings.push([this.length + 2, b.length]);
    return this.binary(b);
  }
  /** An MQTT 5 property list: its length, then `write` (properties). */
  properties(write: (props: Body) => void): this {
    const props = new Body();
    write(props);
    const at = this.length + varint(props.length).length;
    this.varint(props.length);
    for (const f of props.lengthFields) this.lengthFields.push(at + f);
    for (const [s, n] of props.strings) this.strings.push([at + s, n]);
    return this.raw(props.bytes());
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The Remaining Length as its 1–4 variable-length bytes, as lib/qos/client-tap.ts writes it. */
export const varint = encodeLength;

interface Built {
  first: number;
  body: Body;
}

interface BuildContext {
  rng: Prng;
  level: Level;
  /** Bytes of padding to put somewhere natural (a payload, a password, a user property). */
  pad: number;
  /** Building to a size: what would be random-length there is the padding alone. */
  sized: boolean;
  clientId: string;
  clean: boolean;
}

const padding = (n: number) => "p".repeat(Math.max(0, n));
const packetId = (rng: Prng) => (rng.chance(0.1) ? rng.pick([1, 0xffff]) : rng.between(1, 0xffff));

/** A few of the properties MQTT 5 allows on most packets, and padding as a User Property. */
function commonProperties(c: BuildContext, p: Body) {
  if (c.rng.chance(0.3)) p.byte(0x1f).str("fuzzing");
  if (c.rng.chance(0.3)) p.byte(0x26).str("site").str("north");
  if (c.sized) p.byte(0x26).str("pad").str(padding(c.pad));
}

function connectBody(c: BuildContext): Built {
  const { rng, level } = c;
  const b = new Body();
  const v5 = level === 5;
  const will = rng.chance(0.25);
  const willQos = will ? rng.int(3) : 0;
  // A password needs a user name in 3.1.1 [MQTT-3.1.2-22].
  const username = rng.chance(0.3) || (c.sized && level === 4);
  const password = username || (v5 && rng.chance(0.1)) || c.sized;
  let flags = c.clean ? 0x02 : 0;
  if (will) flags |= 0x04 | (willQos << 3) | (rng.chance(0.2) ? 0x20 : 0);
  if (username) flags |= 0x80;
  if (password) flags |= 0x40;
  b.str(rng.chance(0.02) ? "MQIsdp" : "MQTT")
    .byte(level)
    .byte(flags)
    .u16(rng.pick([0, 0, 60, 300, 0xffff]));
  if (v5)
    b.properties((p) => {
      if (rng.chance(0.5)) p.byte(0x11).u32(rng.pick([0, 60, 0xffffffff]));
      if (rng.chance(0.3)) p.byte(0x21).u16(rng.between(1, 0xffff));
      if (rng.chance(0.3)) p.byte(0x27).u32(rng.between(1, 0xffffff));
      if (rng.chance(0.3)) p.byte(0x22).u16(rng.int(100));
      if (rng.chance(0.2)) p.byte(0x19).byte(rng.int(2));
      if (rng.chance(0.2)) p.byte(0x15).str("SCRAM-SHA-1");
      if (rng.chance(0.2)) p.byte(0x26).str("k").str("v");
    });
  b.str(c.clientId);
  if (will) {
    if (v5)
      b.properties((p) => {
        if (rng.chance(0.5)) p.byte(0x18).u32(rng.pick([0, 5]));
        if (rng.chance(0.3)) p.byte(0x01).byte(rng.int(2));
        if (rng.chance(0.3)) p.byte(0x03).str("text/plain");
        if (rng.chance(0.2)) p.byte(0x08).str("fuzz/reply");
        if (rng.chance(0.2)) p.byte(0x09).binary(rng.bytes(8));
      });
    b.str(rng.pick(TOPICS)).binary(rng.bytes(rng.int(32)));
  }
  if (username) b.str(rng.chance(0.5) ? "fuzzer" : "arm-01");
  if (password) b.binary(utf8.encode(padding(c.sized ? c.pad : rng.int(24))));
  return { first: 0x10, body: b };
}

function publishBody(c: BuildContext): Built {
  const { rng, level } = c;
  const qos = rng.weighted([
    [0, 4],
    [1, 3],
    [2, 2],
  ] as const);
  const dup = qos > 0 && rng.chance(0.15);
  const retain = rng.chance(0.1);
  const b = new Body().str(rng.chance(0.1) ? rng.pick(BAD_TOPICS) : rng.pick(TOPICS));
  if (qos > 0) b.u16(packetId(rng));
  if (level === 5)
    b.properties((p) => {
      if (rng.chance(0.2)) p.byte(0x01).byte(rng.int(2));
      if (rng.chance(0.2)) p.byte(0x02).u32(rng.pick([0, 10, 0xffffffff]));
      if (rng.chance(0.2)) p.byte(0x23).u16(rng.int(11));
      if (rng.chance(0.1)) p.byte(0x08).str("fuzz/reply");
      if (rng.chance(0.1)) p.byte(0x09).binary(rng.bytes(4));
      if (rng.chance(0.1)) p.byte(0x0b).varint(rng.between(1, MAX_REMAINING_LENGTH));
      if (rng.chance(0.2)) p.byte(0x26).str("site").str("north");
    });
  b.raw(c.sized ? utf8.encode(padding(c.pad)) : rng.bytes(rng.pick([0, 1, 8, 64, rng.int(512)])));
  return { first: 0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0), body: b };
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, and in MQTT 5 perhaps a reason code and properties. */
function ackBody(c: BuildContext, first: number, codes: readonly number[]): Built {
  const b = new Body().u16(packetId(c.rng));
  if (c.level === 5 && (c.rng.chance(0.5) || c.sized)) {
    b.byte(c.rng.pick(codes));
    if (c.rng.chance(0.5) || c.sized) b.properties((p) => commonProperties(c, p));
  }
  return { first, body: b };
}

function subscribeBody(c: BuildContext): Built {
  const { rng, level } = c;
  const b = new Body().u16(packetId(rng));
  if (level === 5)
    b.properties((p) => {
      if (rng.chance(0.3)) p.byte(0x0b).varint(rng.between(1, MAX_REMAINING_LENGTH));
      if (rng.chance(0.2)) p.byte(0x26).str("k").str("v");
    });
  const n = rng.between(1, 4);
  for (let i = 0; i < n; i++) {
    const filter = i === 0 && c.sized ? `fuzz/${padding(c.pad)}` : rng.chance(0.1) ? rng.pick(BAD_FILTERS) : rng.pick(FILTERS);
    b.str(filter);
    const qos = rng.int(3);
    b.byte(level === 5 ? qos | (rng.int(2) << 2) | (rng.int(2) << 3) | (rng.int(3) << 4) : qos);
  }
  return { first: 0x82, body: b };
}

function unsubscribeBody(c: BuildContext): Built {
  const { rng, level } = c;
  const b = new Body().u16(packetId(rng));
  if (level === 5) b.properties((p) => commonProperties({ ...c, sized: false }, p));
  const n = rng.between(1, 3);
  for (let i = 0; i < n; i++) b.str(i === 0 && c.sized ? `fuzz/${padding(c.pad)}` : rng.pick(FILTERS));
  return { first: 0xa2, body: b };
}

/** SUBACK and UNSUBACK: server packets, which a client must never send (the broker sees them anyway). */
function subackBody(c: BuildContext, first: number, codes: readonly number[], v4Codes: boolean): Built {
  const b = new Body().u16(packetId(c.rng));
  if (c.level === 5) b.properties((p) => commonProperties(c, p));
  if (c.level === 5 || v4Codes) for (let i = c.rng.between(1, 4); i > 0; i--) b.byte(c.rng.pick(codes));
  return { first, body: b };
}

function connackBody(c: BuildContext): Built {
  const b = new Body().byte(c.rng.int(2)).byte(c.rng.pick(c.level === 5 ? [0x00, 0x80, 0x84, 0x87, 0x8c] : [0, 1, 2, 3, 4, 5]));
  if (c.level === 5)
    b.properties((p) => {
      if (c.rng.chance(0.3)) p.byte(0x22).u16(10);
      if (c.rng.chance(0.3)) p.byte(0x24).byte(c.rng.int(2));
      if (c.rng.chance(0.3)) p.byte(0x12).str("assigned-id");
      commonProperties(c, p);
    });
  return { first: 0x20, body: b };
}

/** DISCONNECT and AUTH: empty in 3.1.1 (where AUTH does not exist), a reason code and properties in 5. */
function reasonBody(c: BuildContext, first: number, codes: readonly number[], auth: boolean): Built {
  const b = new Body();
  if (c.level === 5 || auth) {
    if (c.rng.chance(0.7) || auth || c.sized) {
      b.byte(c.rng.pick(codes));
      b.properties((p) => {
        if (auth) p.byte(0x15).str("SCRAM-SHA-1");
        if (auth && c.rng.chance(0.7)) p.byte(0x16).binary(c.rng.bytes(16));
        if (!auth && c.rng.chance(0.3)) p.byte(0x11).u32(0);
        commonProperties(c, p);
      });
    }
  }
  return { first, body: b };
}

function build(kind: Kind, c: BuildContext): Built {
  switch (kind) {
    case "connect":
      return connectBody(c);
    case "connack":
      return connackBody(c);
    case "publish":
      return publishBody(c);
    case "puback":
      return ackBody(c, 0x40, [0x00, 0x10, 0x80, 0x87, 0x91]);
    case "pubrec":
      return ackBody(c, 0x50, [0x00, 0x10, 0x80, 0x87, 0x91]);
    case "pubrel":
      return ackBody(c, 0x62, [0x00, 0x92]);
    case "pubcomp":
      return ackBody(c, 0x70, [0x00, 0x92]);
    case "subscribe":
      return subscribeBody(c);
    case "suback":
      return subackBody(c, 0x90, c.level === 5 ? [0x00, 0x01, 0x02, 0x80, 0x87, 0x8f] : [0x00, 0x01, 0x02, 0x80], true);
    case "unsubscribe":
      return unsubscribeBody(c);
    case "unsuback":
      return subackBody(c, 0xb0, [0x00, 0x11, 0x80, 0x87], false);
    case "pingreq":
      return { first: 0xc0, body: new Body() };
    case "pingresp":
      return { first: 0xd0, body: new Body() };
    case "disconnect":
      return reasonBody(c, 0xe0, [0x00, 0x04, 0x80, 0x81, 0x8e, 0x93], false);
    case "auth":
      return reasonBody(c, 0xf0, [0x00, 0x18, 0x19], true);
    case "reserved":
      return { first: c.rng.int(16), body: new Body().raw(c.rng.bytes(c.rng.int(8))) };
  }
}

/** Kinds with somewhere natural to put padding, so a built body can land on a length limit. */
const PADDABLE = new Set<Kind>(["connect", "publish", "subscribe", "unsubscribe"]);

interface Assembled {
  bytes: Uint8Array;
  /** Where the body starts (after the fixed header), and its length fields' and strings' offsets in `bytes`. */
  bodyAt: number;
  lengthFields: number[];
  strings: [number, number][];
}

function assemble(b: Built): Assembled {
  const body = b.body.bytes();
  const header = [b.first, ...varint(body.length)];
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return { bytes, bodyAt: header.length, lengthFields: b.body.lengthFields.map((f) => f + header.length), strings: b.body.strings.map(([s, n]) => [s + header.length, n]) };
}

/** A valid packet of `kind`, its body sized to `target` bytes when given and the kind has room for it. */
export function validPacket(rng: Prng, kind: Kind, level: Level, opts: { clientId?: string; clean?: boolean; target?: number } = {}): Assembled {
  const state = rng.u32();
  const context = (pad: number, sized: boolean): BuildContext => ({ rng: new Prng(state), level, pad, sized, clientId: opts.clientId ?? "fuzz-0", clean: opts.clean ?? true });
  const target = opts.target;
  if (target !== undefined && (PADDABLE.has(kind) || level === 5)) {
    // Padding a string can move a length varint over a boundary too: measure and correct.
    let pad = target - build(kind, context(0, true)).body.length;
    for (let i = 0; i < 4 && pad >= 0; i++) {
      const sized = build(kind, context(pad, true));
      if (sized.body.length === target) return assemble(sized);
      pad += target - sized.body.length;
    }
  }
  return assemble(build(kind, context(0, false)));
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xfe];
/** What a string's content becomes: invalid UTF-8 [MQTT-1.5.3-1], U+0000 [MQTT-1.5.3-2], a wildcard. */
const BAD_UTF8 = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0x00], [0xf4, 0x90, 0x80, 0x80], [0x23], [0x2b]];

function withLength(bytes: Uint8Array, bodyAt: number, lengthBytes: number[]): Uint8Array {
  const body = bytes.subarray(bodyAt);
  const out = new Uint8Array(1 + lengthBytes.length + body.length);
  out[0] = bytes[0]!;
  out.set(lengthBytes, 1);
  out.set(body, 1 + lengthBytes.length);
  return out;
}

/** One mutation of `p`, named; the offsets in `p` hold only until the first mutation that moves bytes. */
function mutateOnce(rng: Prng, p: Assembled, fieldsValid: boolean): [string, Uint8Array] {
  const bytes = p.bytes;
  const n = bytes.length;
  const choices: [string, number][] = [
    ["flip-bit", 3],
    ["set-byte", 3],
    ["type", 1],
    ["flags", 2],
    ["claim-length", 3],
    ["long-length", 1],
    ["truncate", 3],
    ["extend", 1],
    ["insert", 1],
    ["delete", 1],
    ["empty-body", 1],
  ];
  if (fieldsValid && p.lengthFields.length > 0) choices.push(["string-length", 3]);
  if (fieldsValid && p.strings.length > 0) choices.push(["bad-utf8", 2]);
  const what = rng.weighted(choices);
  const out = bytes.slice();
  switch (what) {
    case "flip-bit": {
      const at = rng.chance(0.5) ? rng.int(Math.min(n, 16)) : rng.int(n);
      out[at] = out[at]! ^ (1 << rng.int(8));
      return [`flip-bit@${at}`, out];
    }
    case "set-byte": {
      const at = rng.int(n);
      const v = rng.pick(INTERESTING_BYTES);
      out[at] = v;
      return [`set-byte@${at}=${v}`, out];
    }
    case "type": {
      const type = rng.pick([0, 15, rng.int(16)]);
      out[0] = (type << 4) | (out[0]! & 0x0f);
      return [`type=${type}`, out];
    }
    case "flags": {
      const flags = rng.int(16);
      out[0] = (out[0]! & 0xf0) | flags; // [MQTT-2.2.2-2]: reserved flags, or PUBLISH QoS 3 and DUP on QoS 0
      return [`flags=${flags}`, out];
    }
    case "claim-length": {
      const actual = n - p.bodyAt;
      const claim = rng.pick([...LENGTH_LIMITS, actual + 1, Math.max(0, actual - 1), actual + rng.between(2, 1000)]);
      return [`claim-length=${claim}`, withLength(bytes, p.bodyAt, varint(Math.min(claim, MAX_REMAINING_LENGTH)))];
    }
    case "long-length": {
      // Five length bytes [MQTT-2.2.3], or a non-minimal encoding of the true length.
      const actual = varint(n - p.bodyAt);
      const encoded = rng.chance(0.5) ? [0xff, 0xff, 0xff, 0xff, 0x7f] : [...actual.slice(0, -1), actual.at(-1)! | 0x80, 0x00];
      return [`long-length=${encoded.join(",")}`, withLength(bytes, p.bodyAt, encoded)];
    }
    case "truncate": {
      const at = rng.int(n);
      return [`truncate@${at}`, bytes.slice(0, at)];
    }
    case "extend": {
      const extra = rng.bytes(rng.between(1, 16));
      const grown = new Uint8Array(n + extra.length);
      grown.set(bytes);
      grown.set(extra, n);
      return [`extend+${extra.length}`, grown];
    }
    case "insert": {
      const at = rng.int(n + 1);
      const extra = rng.bytes(rng.between(1, 4));
      const grown = new Uint8Array(n + extra.length);
      grown.set(bytes.subarray(0, at));
      grown.set(extra, at);
      grown.set(bytes.subarray(at), at + extra.length);
      return [`insert@${at}+${extra.length}`, grown];
    }
    case "delete": {
      const at = rng.int(n);
      const k = Math.min(n - at, rng.between(1, 4));
      const shrunk = new Uint8Array(n - k);
      shrunk.set(bytes.subarray(0, at));
      shrunk.set(bytes.subarray(at + k), at);
      return [`delete@${at}-${k}`, shrunk];
    }
    case "empty-body":
      return ["empty-body", Uint8Array.of(bytes[0]!, 0)];
    case "string-length": {
      const at = rng.pick(p.lengthFields);
      const old = (bytes[at]! << 8) | bytes[at + 1]!;
      const v = rng.pick([0, 0xffff, old + 1, Math.max(0, old - 1), old + rng.between(2, 300)]) & 0xffff;
      out[at] = v >> 8;
      out[at + 1] = v & 0xff;
      return [`string-length@${at}=${v}`, out];
    }
    case "bad-utf8": {
      const [at, length] = rng.pick(p.strings);
      const bad = rng.pick(BAD_UTF8);
      for (let i = 0; i < Math.min(bad.length, length); i++) out[at + i] = bad[i]!;
      return [`bad-utf8@${at}`, out];
    }
  }
  throw new Error(`no mutation ${what}`);
}

const MOVES_BYTES = /^(claim-length|long-length|truncate|extend|insert|delete|empty-body)/;

export function mutate(rng: Prng, p: Assembled, count: number): { bytes: Uint8Array; mutations: string[] } {
  let current = p;
  let fieldsValid = true;
  const mutations: string[] = [];
  for (let i = 0; i < count; i++) {
    const [what, bytes] = mutateOnce(rng, current, fieldsValid);
    mutations.push(what);
    if (MOVES_BYTES.test(what)) fieldsValid = false;
    if (bytes.length === 0) return { bytes, mutations };
    current = { ...current, bytes };
  }
  return { bytes: current.bytes, mutations };
}

/** Client packets after a CONNECT, weighted; the server's own packets and oddities less often. */
const FOLLOW_UPS: readonly (readonly [Kind, number])[] = [
  ["publish", 30],
  ["subscribe", 12],
  ["unsubscribe", 7],
  ["puback", 4],
  ["pubrec", 4],
  ["pubrel", 4],
  ["pubcomp", 4],
  ["pingreq", 6],
  ["connect", 5],
  ["disconnect", 3],
  ["connack", 3],
  ["suback", 3],
  ["unsuback", 3],
  ["pingresp", 3],
  ["auth", 4],
  ["reserved", 2],
];
const VALID_FOLLOW_UPS: readonly (readonly [Kind, number])[] = [
  ["publish", 40],
  ["subscribe", 12],
  ["unsubscribe", 7],
  ["puback", 4],
  ["pubrec", 4],
  ["pubrel", 4],
  ["pubcomp", 4],
  ["pingreq", 6],
];

function sizedTarget(rng: Prng): number | undefined {
  return rng.chance(0.04) ? rng.pick(BUILT_SIZES) : undefined;
}

/** Connection `index` of the run with `opts.seed`: a function of the two alone. */
export function fuzzConnection(opts: FuzzOptions, index: number): FuzzConnection {
  const rng = new Prng(mixSeed(opts.seed, index));
  const mutating = opts.mutate ?? true;
  const transport: Transport = rng.chance(opts.webSocketShare ?? 0.3) ? "websocket" : "tcp";
  const clientId = `fuzz-${rng.int(CLIENT_IDS)}`;
  const clean = !rng.chance(0.1);
  const level: Level = mutating && rng.chance(0.3) ? 5 : 4;
  const packets: FuzzPacket[] = [];
  const add = (kind: Kind, lvl: Level, mutations: number) => {
    const p = validPacket(rng, kind, lvl, { clientId, clean, target: sizedTarget(rng) });
    const m = mutations > 0 ? mutate(rng, p, mutations) : { bytes: p.bytes, mutations: [] };
    packets.push({ kind, level: lvl, bytes: m.bytes, mutations: m.mutations });
  };
  if (!mutating) {
    add("connect", 4, 0);
    for (let i = rng.between(1, 8); i > 0; i--) add(rng.weighted(VALID_FOLLOW_UPS), 4, 0);
  } else {
    // Most connections get past CONNECT, so the packets after it are parsed too.
    const connected = rng.chance(0.75);
    add(connected ? "connect" : rng.weighted([["connect", 3], ...FOLLOW_UPS]), level, connected ? 0 : rng.between(0, 3));
    for (let i = rng.between(1, 6); i > 0; i--) {
      const lvl: Level = rng.chance(0.1) ? (level === 4 ? 5 : 4) : level;
      add(rng.weighted(FOLLOW_UPS), lvl, rng.chance(0.6) ? rng.between(1, 3) : 0);
    }
  }
  return { index, transport, packets, chunks: chunk(rng, packets) };
}

/** The bytes as written: all at once, a write per packet, or cut at random places. */
function chunk(rng: Prng, packets: FuzzPacket[]): Uint8Array[] {
  const all = concat(packets.map((p) => p.bytes));
  const how = rng.weighted([
    ["one", 5],
    ["per-packet", 3],
    ["cut", 2],
  ] as const);
  if (how === "one" || all.length === 0) return [all];
  if (how === "per-packet") return packets.map((p) => p.bytes).filter((b) => b.length > 0);
  const out: Uint8Array[] = [];
  for (let at = 0; at < all.length; ) {
    const n = Math.min(all.length - at, rng.chance(0.3) ? 1 : rng.between(1, 64));
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Connections from `from` on, until they hold `packets` packets in all. */
export function* fuzzConnections(opts: FuzzOptions, packets: number, from = 0): Generator<FuzzConnection> {
  let sent = 0;
  for (let i = from; sent < packets; i++) {
    const c = fuzzConnection(opts, i);
    sent += c.packets.length;
    yield c;
  }
}

/** One line a failure can print: enough to see the connection without replaying it. */
export function describeConnection(c: FuzzConnection, maxBytes = 64): string {
  const packets = c.packets.map((p) => `${p.kind}/v${p.level === 4 ? "3.1.1" : "5"}${p.mutations.length ? `[${p.mutations.join(" ")}]` : ""} ${hex(p.bytes, maxBytes)}`);
  return `connection ${c.index} over ${c.transport}, ${c.chunks.length} write(s): ${packets.join("; ")}`;
}

function hex(b: Uint8Array, max: number): string {
  const s = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, "0")).join("");
  return b.length > max ? `${s}…(${b.length} bytes)` : s;
}
