/**
 * One direction of an MQTT byte stream split into packets, in chunks of any size. A packet is
 * handed on whole, or, when large, as its first part and its length: a PUBLISH keeps what its
 * variable header and payload head need, any other packet at most `MAX_KEPT_PACKET_BYTES`. After
 * a hole (a TCP gap, or a capture that starts mid-stream) or a fixed header that cannot be one,
 * it searches for the next plausible fixed header (resync.ts) and counts the bytes passed over.
 */
import { readVarint } from "./mqtt-data";
import { decodePacket, headerFault, malformedPacket, readFixedHeader } from "./mqtt-packet";
import { MAX_PAYLOAD_HEAD_BYTES } from "./mqtt-packets/publish";
import { reasonCode } from "../mqtt/reason-codes";
import { rule } from "./mqtt-rules";
import type { MalformedPacket, MqttVersion } from "./mqtt-types";
import { findSync, SearchBuffer, type Candidate } from "./resync";

/** Bytes kept of a packet other than PUBLISH (its fields are all decoded); the rest is counted. */
export const MAX_KEPT_PACKET_BYTES = 1024 * 1024;
/** The longest fixed header: a type byte and four length bytes. */
const MAX_HEADER_BYTES = 5;

export interface FramedPacket {
  /** The packet's bytes from its first, all of them or (see `packetLength`) its head. */
  bytes: Uint8Array;
  /** The whole packet's length; more than `bytes.length` when only its head was kept. */
  packetLength: number;
  ts: number;
}

export interface FramerSink {
  packet(p: FramedPacket): void;
  /** A packet that could not be framed: a bad fixed header, or one cut by a hole or the end. */
  malformed(p: MalformedPacket, ts: number): void;
  skipped(bytes: number): void;
}

export class MqttFramer {
  private readonly header = new Uint8Array(MAX_HEADER_BYTES);
  private headerLength = 0;
  /** The packet being read: its whole length once its header is known, and what is kept of it. */
  private total = -1;
  private seen = 0;
  private parts: Uint8Array[] = [];
  private kept = 0;
  private keepLimit = 0;
  private keepFinal = false;
  private searching = false;
  private readonly search = new SearchBuffer();

  constructor(
    /** The connection's version, when known: it decides which headers are plausible. */
    private readonly version: () => MqttVersion | undefined,
    private readonly sink: FramerSink,
  ) {}

  /** Whether bytes wait for a packet boundary to be found: packets may be among them. */
  get holding(): boolean {
    return this.searching && this.search.length > 0;
  }

  /** The stream is joined after its start: the first packet boundary is not known. */
  startMidStream(): void {
    this.reset();
    this.searching = true;
  }

  push(chunk: Uint8Array, ts: number): void {
    if (this.searching) {
      this.search.append(chunk, ts);
      this.resync(false);
      return;
    }
    this.read(chunk, ts);
  }

  /** Bytes are missing here: a packet in progress is cut, and the next boundary must be found. */
  gap(ts: number): void {
    this.finish(ts, "cut by a gap in the capture");
    this.searching = true;
  }

  /** The stream is over. */
  end(ts: number): void {
    this.finish(ts, "cut by the end of the capture");
  }

  private finish(ts: number, why: string) {
    // Each final search takes a boundary or passes over the bytes; one found may lead to another search.
    while (this.searching && this.search.length > 0) this.resync(true);
    if (this.searching) return;
    if (this.headerLength > 0) {
      const first = this.header[0]!;
      const declared = this.total >= 0 ? `${this.seen} of its ${this.total} bytes` : `${this.headerLength} bytes into its fixed header`;
      const length = this.total >= 0 ? this.total - this.headerLength : undefined;
      this.sink.malformed(malformedPacket(first, length, "truncated", rule(this.version() ?? 4, "remainingLength"), `${why} after ${declared}`), ts);
    }
    this.reset();
  }

  private reset() {
    this.headerLength = 0;
    this.total = -1;
    this.seen = 0;
    this.parts = [];
    this.kept = 0;
  }

  private read(chunk: Uint8Array, ts: number) {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.total < 0) {
        // Fast path: a whole packet at a boundary is handed on as a view of the chunk.
        if (this.headerLength === 0) {
          const h = readFixedHeader(chunk, i, n);
          if (h.kind === "ok" && i + h.headerLength + h.remainingLength <= n && this.headerAllowed(chunk[i]!)) {
            const length = h.headerLength + h.remainingLength;
            this.sink.packet({ bytes: chunk.subarray(i, i + length), packetLength: length, ts });
            i += length;
            continue;
          }
        }
        this.header[this.headerLength++] = chunk[i++]!;
        if (this.headerLength === 1) continue;
        const length = readVarint(this.header, 1, this.headerLength);
        if (length.kind === "short") {
          if (this.headerLength < MAX_HEADER_BYTES) continue;
        }
        if (length.kind !== "ok") {
          this.badHeader(this.header.subarray(1, this.headerLength), chunk.subarray(i), undefined, "the Remaining Length runs past four bytes", ts);
          return;
        }
        const first = this.header[0]!;
        if (!this.headerAllowed(first)) {
          this.badHeader(this.header.subarray(1, this.headerLength), chunk.subarray(i), length.value, undefined, ts);
          return;
        }
        this.begin(length.value);
        if (this.seen === this.total) this.complete(ts);
        continue;
      }
      const take = Math.min(n - i, this.total - this.seen);
      const keep = Math.min(take, this.keepLimit - this.kept);
      if (keep > 0) {
        this.parts.push(chunk.subarray(i, i + keep));
        this.kept += keep;
        if (!this.keepFinal) this.refineKeep();
      }
      this.seen += take;
      i += take;
      if (this.seen === this.total) this.complete(ts);
    }
  }

  private headerAllowed(first: number): boolean {
    const v = this.version();
    return v === undefined ? !headerFault(first, 4) || !headerFault(first, 5) : !headerFault(first, v);
  }

  /** A fixed header that is not one: reported once, then the next boundary is searched for from the byte after its first. */
  private badHeader(afterFirst: Uint8Array, rest: Uint8Array, remaining: number | undefined, reason: string | undefined, ts: number) {
    const first = this.header[0]!;
    const v = this.version() ?? 4;
    const fault = reason ? undefined : headerFault(first, v);
    this.sink.malformed(
      malformedPacket(first, remaining, "malformed", fault?.rule ?? rule(v, "remainingLength"), fault?.reason ?? reason ?? "bad fixed header"),
      ts,
    );
    this.sink.skipped(1);
    const pending = afterFirst.slice();
    this.reset();
    this.searching = true;
    this.search.append(pending, ts);
    this.search.append(rest, ts);
    this.resync(false);
  }

  private begin(remaining: number) {
    this.total = this.headerLength + remaining;
    this.seen = this.headerLength;
    this.parts = [this.header.slice(0, this.headerLength)];
    this.kept = this.headerLength;
    const isPublish = this.header[0]! >> 4 === 3;
    this.keepLimit = Math.min(this.total, MAX_KEPT_PACKET_BYTES);
    this.keepFinal = !isPublish;
    if (!this.keepFinal) this.refineKeep();
  }

  /** A PUBLISH keeps its variable header and payload head: once their length is known, no more. */
  private refineKeep() {
    const head = joinParts(this.parts, this.kept);
    const need = publishHeadLength(head, this.version());
    if (need === undefined) return;
    this.keepLimit = Math.min(this.keepLimit, need);
    this.keepFinal = true;
    if (this.kept > this.keepLimit) {
      this.parts = [head.subarray(0, this.keepLimit)];
      this.kept = this.keepLimit;
    } else this.parts = [head];
  }

  private complete(ts: number) {
    const bytes = this.parts.length === 1 ? this.parts[0]! : joinParts(this.parts, this.kept);
    const packetLength = this.total;
    this.reset();
    this.sink.packet({ bytes, packetLength, ts });
  }

  private resync(final: boolean) {
    const buf = this.search.bytes;
    const version = this.version();
    const result = findSync(buf, buf.length, final, (b, at, end) => mqttCandidate(b, at, end, version), (at, length) => decodesIn(buf.subarray(at, at + length), version));
    if (result.at > 0) this.sink.skipped(result.at);
    if (!result.found) {
      this.search.drop(result.at);
      return;
    }
    this.searching = false;
    // Read on from the boundary, each run with its own time, so a packet keeps the time it completed.
    const runs = this.search.takeFrom(result.at);
    for (let k = 0; k < runs.length; k++) {
      if (this.searching) {
        for (const [bytes, ts] of runs.slice(k)) this.search.append(bytes, ts);
        this.resync(false);
        return;
      }
      this.read(runs[k]![0], runs[k]![1]);
    }
  }
}

/** Whether the packet decodes without breaking a rule, in the version given or, unknown, in 3.1.1 or 5. */
function decodesIn(bytes: Uint8Array, version: MqttVersion | undefined): boolean {
  const ok = (v: MqttVersion) => decodePacket(bytes, { version: v }).type !== "MALFORMED";
  return version === undefined ? ok(4) || ok(5) : ok(version);
}

/** The smallest Remaining Length of each type, and the only one where it is fixed (3.1.1 / 5). */
function lengthPlausible(code: number, flags: number, remaining: number, version: MqttVersion | undefined): boolean {
  const v5 = version === 5;
  const v4 = version !== undefined && version !== 5;
  switch (code) {
    case 1:
      return remaining >= 12;
    case 2:
      return v4 ? remaining === 2 : v5 ? remaining >= 3 : remaining >= 2;
    case 3:
      return remaining >= 3 + (flags & 0x06 ? 2 : 0);
    case 4:
    case 5:
    case 6:
    case 7:
      return v4 ? remaining === 2 : remaining >= 2;
    case 8:
      return remaining >= (v5 ? 7 : 6);
    case 9:
      return remaining >= (v5 ? 4 : 3);
    case 10:
      return remaining >= (v5 ? 6 : 5);
    case 11:
      return v4 ? remaining === 2 : v5 ? remaining >= 4 : remaining >= 2;
    case 12:
    case 13:
      return remaining === 0;
    case 14:
      return v4 ? remaining === 0 : true;
    case 15:
      return remaining === 0 || remaining >= 2;
    default:
      return false;
  }
}

/** Whether an MQTT packet plausibly starts at `at`: a known type with its flags, a minimal length of a size the type allows. */
export function mqttCandidate(bytes: Uint8Array, at: number, end: number, version: MqttVersion | undefined): Candidate {
  const first = bytes[at]!;
  const faulty = version === undefined ? headerFault(first, 4) && headerFault(first, 5) : headerFault(first, version);
  if (faulty) return { kind: "no" };
  const h = readFixedHeader(bytes, at, end);
  if (h.kind === "short") return { kind: "more" };
  if (h.kind === "long" || !h.minimal) return { kind: "no" };
  if (!lengthPlausible(h.code, h.flags, h.remainingLength, version)) return { kind: "no" };
  if (!bodyPlausible(bytes, at + h.headerLength, end, h.code, h.flags, h.remainingLength)) return { kind: "no" };
  return { kind: "frame", length: h.headerLength + h.remainingLength };
}

const ACK_NAMES = { 4: "PUBACK", 5: "PUBREC", 6: "PUBREL", 7: "PUBCOMP" } as const;

/**
 * The first bytes after the fixed header, checked cheaply where they are there: a PUBLISH's topic
 * must fit in it, an MQTT 5 acknowledgement's reason code be one its type allows and its
 * properties end it. So bytes that only look like a header are passed over without a full decode
 * at every offset (which made a resync over 64 KB of 0x70 take 0.4 s). Never stricter than the
 * decoder: what these refuse, it would refuse.
 */
function bodyPlausible(bytes: Uint8Array, body: number, end: number, code: number, flags: number, remaining: number): boolean {
  if (code === 3) {
    if (body + 2 > end) return true;
    const topicLength = (bytes[body]! << 8) | bytes[body + 1]!;
    return 2 + topicLength + (flags & 0x06 ? 2 : 0) <= remaining;
  }
  if (code >= 4 && code <= 7 && remaining > 2) {
    if (body + 3 > end) return true;
    if (reasonCode(ACK_NAMES[code as 4 | 5 | 6 | 7], bytes[body + 2]!, 5) === undefined) return false;
    if (remaining === 3) return true;
    const props = readVarint(bytes, body + 3, end);
    if (props.kind === "short") return true;
    return props.kind === "ok" && 3 + props.bytes + props.value === remaining;
  }
  return true;
}

/**
 * How many bytes of a PUBLISH (from its first) hold its variable header and payload head, from
 * its first bytes; undefined until they tell. With the version unknown, the MQTT 5 reading (with
 * properties) is taken when it parses, as it keeps more.
 */
export function publishHeadLength(head: Uint8Array, version: MqttVersion | undefined): number | undefined {
  const h = readFixedHeader(head, 0, head.length);
  if (h.kind !== "ok") return undefined;
  let at = h.headerLength;
  if (head.length < at + 2) return undefined;
  at += 2 + ((head[at]! << 8) | head[at + 1]!);
  if (h.flags & 0x06) at += 2;
  const end3 = at + MAX_PAYLOAD_HEAD_BYTES;
  if (version !== undefined && version !== 5) return end3;
  if (head.length < at + 1) return undefined;
  const props = readVarint(head, at, head.length);
  if (props.kind === "short") return undefined;
  if (props.kind === "long") return version === 5 ? at : end3;
  return at + props.bytes + props.value + MAX_PAYLOAD_HEAD_BYTES;
}

function joinParts(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
