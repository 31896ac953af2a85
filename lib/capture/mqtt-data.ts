/**
 * The MQTT data types read from one packet's bytes, each bounded by the packet's end: integers,
 * Variable Byte Integers, UTF-8 strings and binary data (MQTT 3.1.1 §1.5, 5.0 §1.5). A read past
 * the end, or a value that breaks a rule, stops the decoding with a `Fault` naming the rule;
 * `decodePacket` turns it into a malformed packet, so nothing outside this module sees a throw.
 */
import { rule } from "./mqtt-rules";
import type { MalformedPacket, MqttVersion } from "./mqtt-types";

/** The most a Variable Byte Integer encodes in its four bytes (§1.5.5). */
export const MAX_VARINT = 268_435_455;

export class Fault {
  constructor(
    readonly error: MalformedPacket["error"],
    readonly rule: string,
    readonly reason: string,
  ) {}
}

export class Reader {
  at: number;

  /**
   * `end` is where the packet ends; `kept` where the bytes given end, when only the packet's
   * first part was kept (a read between the two is a truncation, not the sender's fault).
   */
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly version: MqttVersion,
    readonly kept = end,
    /** What `end` is the end of, and the rule a read past it breaks (a property list's, within a packet). */
    readonly scope: { name: string; rule: string } | undefined = undefined,
  ) {
    this.at = start;
  }

  get left(): number {
    return this.end - this.at;
  }

  /** Checks that `n` more bytes are there for `field`. */
  need(n: number, field: string): void {
    if (this.at + n > this.end) {
      const scope = this.scope ?? { name: "packet", rule: rule(this.version, "remainingLength") };
      throw new Fault("malformed", scope.rule, `the ${scope.name} ends inside its ${field} (${n} bytes needed, ${this.left} left)`);
    }
    if (this.at + n > this.kept) throw new Fault("truncated", rule(this.version, "remainingLength"), `only the first ${this.kept} bytes were kept, and the ${field} lies beyond them`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.at++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const v = ((b[this.at]! << 24) | (b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!) >>> 0;
    this.at += 4;
    return v;
  }

  varint(field: string): number {
    const start = this.at;
    const r = readVarint(this.bytes, this.at, this.kept < this.end ? this.kept : this.end);
    if (r.kind === "short") this.need(r.bytes + 1, field);
    if (r.kind === "long") throw new Fault("malformed", rule(this.version, "remainingLength"), `the ${field} runs past four bytes`);
    if (r.kind === "ok") {
      if (this.version === 5 && r.bytes > varintBytes(r.value)) {
        throw new Fault("malformed", rule(5, "varintMinimal"), `the ${field} uses ${r.bytes} bytes for ${r.value}`);
      }
      this.at = start + r.bytes;
      return r.value;
    }
    throw new Fault("malformed", rule(this.version, "remainingLength"), `the ${field} is cut short`);
  }

  /** A UTF-8 Encoded String: two-byte length, then well-formed UTF-8 without U+0000. */
  string(field: string): string {
    const length = this.u16(`${field} length`);
    this.need(length, field);
    const s = utf8(this.bytes, this.at, this.at + length, this.version, field);
    this.at += length;
    return s;
  }

  /** Binary Data: two-byte length, then the bytes, returned as a view (copy what you keep). */
  binary(field: string): Uint8Array {
    const length = this.u16(`${field} length`);
    this.need(length, field);
    const b = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return b;
  }

  /** Skips Binary Data, returning its length; it may end past the kept bytes, but not past the packet. */
  binaryLength(field: string): number {
    const length = this.u16(`${field} length`);
    if (this.at + length > this.end) this.need(length, field);
    this.at += length;
    return length;
  }

  /** The kept bytes from here to `to` (at most `max`), copied so they do not pin a larger buffer. */
  head(to: number, max: number): Uint8Array {
    return this.bytes.slice(this.at, Math.min(to, this.kept, this.at + max));
  }
}

export type VarintRead = { kind: "ok"; value: number; bytes: number } | { kind: "short"; bytes: number } | { kind: "long" };

/** A Variable Byte Integer at `at` (§1.5.5 / 3.1.1 §2.2.3), reading no further than `end`. */
export function readVarint(bytes: Uint8Array, at: number, end: number): VarintRead {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (at + i >= end) return { kind: "short", bytes: i };
    const b = bytes[at + i]!;
    value += (b & 0x7f) * mult;
    if (!(b & 0x80)) return { kind: "ok", value, bytes: i + 1 };
    mult *= 128;
  }
  return { kind: "long" };
}

/** The bytes the shortest encoding of `value` takes. */
export function varintBytes(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Strings up to this length made of ASCII are built directly, without the decoder's overhead. */
const ASCII_FAST_BYTES = 256;

/**
 * `bytes[from..to]` as text, if it is well-formed UTF-8 (no surrogates, no overlong forms, as the
 * fatal decoder checks) without U+0000. A BOM is kept, as the spec requires (§1.5.4: not skipped).
 */
export function utf8(bytes: Uint8Array, from: number, to: number, version: MqttVersion, field: string): string {
  let ascii = true;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    // In UTF-8 a zero byte is U+0000 and nothing else.
    if (b === 0) throw new Fault("malformed", rule(version, "nullCharacter"), `the ${field} contains U+0000`);
    if (b >= 0x80) ascii = false;
  }
  if (ascii && to - from <= ASCII_FAST_BYTES) return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
  try {
    return decoder.decode(bytes.subarray(from, to));
  } catch {
    throw new Fault("malformed", rule(version, "utf8"), `the ${field} is not valid UTF-8`);
  }
}
