/**
 * WebSocket as MQTT rides on it (MQTT 3.1.1 §6, 5.0 §6): the HTTP Upgrade that opens it, then
 * one direction's frames (RFC 6455 §5) turned back into the bytes of its binary messages,
 * unmasked, fragments joined, control frames (ping, pong, close) counted between them. MQTT
 * packets may span messages and messages may hold several packets, so what comes out is a byte
 * stream, handed on as it arrives: a large message is never held whole.
 */
import { findSync, SearchBuffer, type Candidate } from "./resync";

/** The longest HTTP request or response head read; a longer one is not taken for an upgrade. */
export const MAX_HTTP_HEAD_BYTES = 16 * 1024;
/** Control frames carry at most 125 bytes (RFC 6455 §5.5). */
const MAX_CONTROL_PAYLOAD = 125;

export interface HttpHead {
  /** "GET /mqtt HTTP/1.1" or "HTTP/1.1 101 Switching Protocols". */
  startLine: string;
  /** Header names in lower case; repeated headers joined with ", " (RFC 9110 §5.3). */
  headers: Map<string, string>;
  /** Bytes of the head, its closing blank line included. */
  length: number;
}

/** The HTTP head at the start of `bytes`, "more" until its blank line, "invalid" when it cannot be one. */
export function readHttpHead(bytes: Uint8Array): HttpHead | "more" | "invalid" {
  const limit = Math.min(bytes.length, MAX_HTTP_HEAD_BYTES);
  let end = -1;
  for (let i = 3; i < limit; i++) {
    if (bytes[i] === 0x0a && bytes[i - 1] === 0x0d && bytes[i - 2] === 0x0a && bytes[i - 3] === 0x0d) {
      end = i + 1;
      break;
    }
  }
  if (end < 0) return bytes.length >= MAX_HTTP_HEAD_BYTES ? "invalid" : "more";
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, end - 4));
  const [startLine = "", ...lines] = text.split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { startLine, headers, length: end };
}

/** A header's comma-separated values, trimmed, in lower case. */
export function headerValues(head: HttpHead, name: string): string[] {
  return (head.headers.get(name) ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
}

export interface WebSocketSink {
  /** Bytes of a binary message, unmasked, in order (a copy the receiver may keep). */
  data(bytes: Uint8Array, ts: number): void;
  /** Message bytes are missing here (a TCP gap, or a message that could not be read). */
  gap(ts: number): void;
  frame(opcode: number): void;
  problem(message: string): void;
  skipped(bytes: number): void;
}

const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;
const KNOWN_OPCODES = new Set<number>(Object.values(OP));

/** One direction of a WebSocket connection, after its upgrade. */
export class WebSocketReader {
  /** Set when the upgrade negotiated permessage-deflate: RSV1 then marks a compressed message. */
  deflate = false;
  private readonly header = new Uint8Array(14);
  private headerLength = 0;
  /** The frame being read: its opcode, payload length, how much is read, its mask. */
  private opcode = -1;
  private compressed = false;
  private payloadLength = 0;
  private payloadSeen = 0;
  private mask: Uint8Array | null = null;
  private control: Uint8Array | null = null;
  /** The message a continuation frame continues: binary, text (ignored), or none. */
  private message: "binary" | "text" | "compressed" | null = null;
  /** Whether the data frame being read is its message's last. */
  private messageEnds = false;
  private closed = false;
  private searching = false;
  private readonly search = new SearchBuffer();

  constructor(
    /** Frames from the client must be masked, the server's must not (RFC 6455 §5.1). */
    private readonly fromClient: boolean,
    private readonly sink: WebSocketSink,
  ) {}

  startMidStream(): void {
    this.searching = true;
    // Whatever message was open is unknown; MQTT travels in binary ones [MQTT-6.0.0-1].
    this.message = "binary";
  }

  push(chunk: Uint8Array, ts: number): void {
    if (this.searching) {
      this.search.append(chunk, ts);
      this.resync(false);
    } else this.read(chunk, ts);
  }

  gap(ts: number): void {
    // What was gathered before the hole goes on first, then the hole.
    this.finishSearch();
    this.sink.gap(ts);
    this.headerLength = 0;
    this.opcode = -1;
    this.searching = true;
    this.message = "binary";
  }

  end(): void {
    this.finishSearch();
  }

  private finishSearch() {
    while (this.searching && this.search.length > 0) this.resync(true);
  }

  private read(chunk: Uint8Array, ts: number) {
    let i = 0;
    while (i < chunk.length) {
      if (this.opcode < 0) {
        this.header[this.headerLength++] = chunk[i++]!;
        const need = headerBytes(this.header, this.headerLength);
        if (need === undefined || this.headerLength < need) continue;
        if (!this.begin(ts)) {
          // The length cannot be read: frame boundaries are lost from here.
          this.searching = true;
          this.search.append(chunk.subarray(i), ts);
          this.resync(false);
          return;
        }
        if (this.payloadLength === 0) this.completeFrame();
        continue;
      }
      const take = Math.min(chunk.length - i, this.payloadLength - this.payloadSeen);
      this.payload(chunk.subarray(i, i + take), ts);
      i += take;
      if (this.payloadSeen === this.payloadLength) this.completeFrame();
    }
  }

  /** Reads the header just completed; false when its length is not one RFC 6455 allows. */
  private begin(ts: number): boolean {
    const h = this.header;
    const fin = (h[0]! & 0x80) !== 0;
    const rsv = h[0]! & 0x70;
    const opcode = h[0]! & 0x0f;
    const masked = (h[1]! & 0x80) !== 0;
    const len7 = h[1]! & 0x7f;
    let at = 2;
    let length = len7;
    if (len7 === 126) {
      length = (h[2]! << 8) | h[3]!;
      at = 4;
    } else if (len7 === 127) {
      if (h[2]! & 0x80) {
        this.sink.problem("a frame length with its most significant bit set (RFC 6455 §5.2)");
        this.headerLength = 0;
        return false;
      }
      length = 0;
      for (let k = 2; k < 10; k++) length = length * 256 + h[k]!;
      at = 10;
    }
    this.mask = masked ? h.slice(at, at + 4) : null;
    this.headerLength = 0;
    this.opcode = opcode;
    this.payloadLength = length;
    this.payloadSeen = 0;
    this.compressed = false;
    this.sink.frame(opcode);
    if (masked !== this.fromClient) this.sink.problem(this.fromClient ? "an unmasked frame from the client (RFC 6455 §5.1)" : "a masked frame from the server (RFC 6455 §5.1)");
    if (!KNOWN_OPCODES.has(opcode)) {
      this.sink.problem(`a frame with the reserved opcode ${opcode} (RFC 6455 §5.2): skipped`);
      return true;
    }
    const isControl = opcode >= 8;
    const rsv1Allowed = this.deflate && !isControl && opcode !== OP.continuation;
    if (rsv & ~(rsv1Allowed ? 0x40 : 0)) this.sink.problem(`RSV bits ${(rsv >> 4).toString(2).padStart(3, "0")} with no extension negotiated for them (RFC 6455 §5.2)`);
    if (isControl) {
      if (!fin || length > MAX_CONTROL_PAYLOAD) this.sink.problem("a fragmented or over-long control frame (RFC 6455 §5.5)");
      this.control = length <= MAX_CONTROL_PAYLOAD ? new Uint8Array(length) : null;
      return true;
    }
    if (this.closed) this.sink.problem("a data frame after the Close frame (RFC 6455 §5.5.1)");
    if (opcode === OP.continuation) {
      if (this.message === null) this.sink.problem("a continuation frame with no message to continue (RFC 6455 §5.4)");
      if (this.message === "compressed") this.compressed = true;
    } else {
      if (this.message !== null) this.sink.problem("a new message before the last one's final fragment (RFC 6455 §5.4)");
      this.compressed = rsv1Allowed && (rsv & 0x40) !== 0;
      if (this.compressed) {
        this.sink.problem("a compressed (permessage-deflate) message: its bytes are not decoded");
        this.sink.gap(ts);
      } else if (opcode === OP.text) this.sink.problem("a text frame: MQTT travels in binary frames [MQTT-6.0.0-1]");
      this.message = this.compressed ? "compressed" : opcode === OP.text ? "text" : "binary";
    }
    this.messageEnds = fin;
    return true;
  }

  private payload(bytes: Uint8Array, ts: number) {
    const start = this.payloadSeen;
    this.payloadSeen += bytes.length;
    if (this.opcode >= 8) {
      if (this.control) this.control.set(unmask(bytes, this.mask, start), start);
      return;
    }
    if (!KNOWN_OPCODES.has(this.opcode) || this.compressed) return;
    const kind = this.opcode === OP.continuation ? this.message : this.opcode === OP.binary ? "binary" : "text";
    if (kind === "binary" && bytes.length > 0) this.sink.data(unmask(bytes, this.mask, start), ts);
  }

  private completeFrame() {
    const opcode = this.opcode;
    this.opcode = -1;
    if (opcode === OP.close) {
      this.closed = true;
      const c = this.control;
      if (c && c.length === 1) this.sink.problem("a Close frame with a one-byte body (RFC 6455 §5.5.1)");
    }
    if (opcode < 8 && KNOWN_OPCODES.has(opcode) && this.messageEnds) this.message = null;
    this.control = null;
  }

  private resync(final: boolean) {
    const buf = this.search.bytes;
    const result = findSync(buf, buf.length, final, (b, at, end) => frameCandidate(b, at, end, this.fromClient, this.deflate));
    if (result.at > 0) this.sink.skipped(result.at);
    if (!result.found) {
      this.search.drop(result.at);
      return;
    }
    this.searching = false;
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

/** How many header bytes the frame header begun in `h` takes, once its second byte is there. */
function headerBytes(h: Uint8Array, have: number): number | undefined {
  if (have < 2) return undefined;
  const len7 = h[1]! & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1]! & 0x80 ? 4 : 0);
}

/** Whether a WebSocket frame plausibly starts at `at` in this direction. */
export function frameCandidate(bytes: Uint8Array, at: number, end: number, fromClient: boolean, deflate: boolean): Candidate {
  if (end - at < 2) return { kind: "more" };
  const b0 = bytes[at]!;
  const b1 = bytes[at + 1]!;
  const opcode = b0 & 0x0f;
  const rsv = b0 & 0x70;
  if (!KNOWN_OPCODES.has(opcode) || (rsv & ~(deflate ? 0x40 : 0)) !== 0) return { kind: "no" };
  if ((b1 & 0x80) !== 0 !== fromClient) return { kind: "no" };
  const len7 = b1 & 0x7f;
  if (opcode >= 8 && (!(b0 & 0x80) || len7 > MAX_CONTROL_PAYLOAD)) return { kind: "no" };
  const headerLength = headerBytes(bytes.subarray(at, at + 2), 2)!;
  if (end - at < headerLength) return { kind: "more" };
  let length = len7;
  if (len7 === 126) {
    length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 126) return { kind: "no" };
  } else if (len7 === 127) {
    if (bytes[at + 2]! & 0x80) return { kind: "no" };
    length = 0;
    for (let k = 2; k < 10; k++) length = length * 256 + bytes[at + k]!;
    if (length < 65_536) return { kind: "no" };
  }
  return { kind: "frame", length: headerLength + length };
}

/** `bytes` unmasked with `mask` (RFC 6455 §5.3), `offset` bytes into the payload; a copy either way. */
export function unmask(bytes: Uint8Array, mask: Uint8Array | null, offset: number): Uint8Array {
  const out = bytes.slice();
  if (!mask) return out;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! ^ mask[(offset + i) & 3]!;
  return out;
}
