/**
 * Splits one direction of an MQTT byte stream into packets, as a tap beside the broker sees it:
 * each packet's fixed header bytes kept as they were on the wire, the fields a trace needs
 * (type, DUP, QoS, RETAIN, packet id, topic; client id and clean session of a CONNECT), and the
 * remaining length. Bodies are never buffered beyond what those fields need, so a 10 MB payload
 * costs the tap nothing but counting. Pure and incremental: bytes in, packets out, any chunking.
 * Field layouts: MQTT 3.1.1 sections 2.2 (fixed header), 3.1 (CONNECT), 3.3 (PUBLISH).
 */

import { PACKET_TYPES, type QoS, type WirePacketType } from "./packet";

/** Body bytes kept per packet: enough for a CONNECT's or a PUBLISH's variable header. */
export const KEPT_BODY_BYTES = 512;
/** The remaining length is at most four bytes [MQTT-2.2.3]. */
const MAX_LENGTH_BYTES = 4;

export interface WirePacket {
  type: WirePacketType;
  /** The fixed header as sent: the type/flags byte and the remaining length's 1–4 bytes. */
  header: Uint8Array;
  remainingLength: number;
  dup: boolean;
  qos: QoS;
  retain: boolean;
  id?: number;
  topic?: string;
  payloadBytes?: number;
  clientId?: string;
  cleanSession?: boolean;
}

/** What a packet is, read before describing it in full: enough to decide whether to keep it. */
export type PacketPeek = Pick<WirePacket, "type" | "qos" | "dup" | "id">;

export class MqttFramer {
  /** The fixed header so far: type byte and up to four length bytes. */
  private readonly header = new Uint8Array(1 + MAX_LENGTH_BYTES);
  /** The header buffer seen at each length, made once, so handing out a header allocates nothing. */
  private readonly headerViews = Array.from({ length: 2 + MAX_LENGTH_BYTES }, (_, n) => this.header.subarray(0, n));
  private headerLength = 0;
  private remaining = -1;
  private bodySeen = 0;
  /**
   * A PUBLISH's topic bytes (a CONNECT's first body bytes), reused for every packet. It still holds
   * the previous topic when the next arrives, so a repeated topic is recognised while it is copied
   * and its string reused: telemetry repeats its topic, and decoding it per packet is most of the cost.
   */
  private readonly body = new Uint8Array(KEPT_BODY_BYTES);
  private bodyKept = 0;
  private sameTopic = true;
  private lastTopic: string | undefined;
  /** A PUBLISH's topic length, then its packet id (or an acknowledgement's), as the bytes arrive. */
  private topicLength = 0;
  private id = 0;
  private idBytes = 0;
  /** A topic that arrived as a string write (Aedes writes topics as strings): taken as it is. */
  private topicText: string | undefined;
  /** Handed to `feed`'s callback for every packet and overwritten by the next one. */
  private readonly packet: WirePacket = {
    type: "reserved",
    header: this.header,
    remainingLength: 0,
    dup: false,
    qos: 0,
    retain: false,
    id: undefined,
    topic: undefined,
    payloadBytes: undefined,
    clientId: undefined,
    cleanSession: undefined,
  };
  /** Set once the stream is not MQTT (or is corrupt): the tap stops rather than guess. */
  failed: string | null = null;

  /** The packets `chunk` completes, each a copy the caller may keep. */
  push(chunk: Uint8Array): WirePacket[] {
    const out: WirePacket[] = [];
    this.feed(chunk, (p) => out.push({ ...p, header: p.header.slice() }));
    return out;
  }

  /**
   * Calls `onPacket` for each packet `chunk` completes, with one object reused for every packet
   * (valid until the callback returns): a tap that reads a few fields and moves on costs the
   * broker no allocation per packet.
   */
  feed(chunk: Uint8Array, onPacket: (p: WirePacket) => void): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.failed) {
      if (this.remaining < 0) {
        const b = chunk[i++]!;
        if (this.headerLength > MAX_LENGTH_BYTES) {
          this.failed = "remaining length longer than four bytes";
          break;
        }
        this.header[this.headerLength++] = b;
        if (this.headerLength === 1 || b & 0x80) continue;
        this.start(decodeLength(this.header, this.headerLength));
      } else i = this.readBody(chunk, i, Math.min(n, i + this.remaining - this.bodySeen));
      if (this.bodySeen === this.remaining) this.complete(onPacket);
    }
  }

  /**
   * The same for a chunk written as a string. A PUBLISH's topic written on its own, as mqtt-packet
   * does, is taken as the topic without encoding it; anything else is encoded and fed as bytes.
   */
  feedString(chunk: string, onPacket: (p: WirePacket) => void): void {
    if (this.remaining >= 0 && this.header[0]! >> 4 === 3 && this.bodySeen === 2 && this.topicLength <= this.remaining - 2 && utf8Length(chunk) === this.topicLength) {
      this.topicText = chunk;
      this.bodySeen += this.topicLength;
      if (this.bodySeen === this.remaining) this.complete(onPacket);
      return;
    }
    this.feed(encoder.encode(chunk), onPacket);
  }

  private start(remaining: number) {
    this.remaining = remaining;
    this.bodySeen = 0;
    this.bodyKept = 0;
    this.sameTopic = true;
    this.topicLength = 0;
    this.id = 0;
    this.idBytes = 0;
    this.topicText = undefined;
  }

  /** Reads body bytes `from`..`to` (all within this packet); returns where it stopped. */
  private readBody(chunk: Uint8Array, from: number, to: number): number {
    const code = this.header[0]! >> 4;
    let i = from;
    while (i < to) {
      const at = this.bodySeen;
      if (code === 3) {
        // PUBLISH: topic length, topic, then the packet id when QoS > 0 [MQTT-3.3.2].
        if (at < 2) {
          this.topicLength = (this.topicLength << 8) | chunk[i++]!;
          this.bodySeen++;
          continue;
        }
        const topicEnd = 2 + this.topicLength;
        if (at < topicEnd) {
          const end = Math.min(to, i + topicEnd - at);
          const body = this.body;
          let k = this.bodyKept;
          for (let j = i; j < end && k < KEPT_BODY_BYTES; j++, k++) {
            const b = chunk[j]!;
            if (body[k] !== b) {
              body[k] = b;
              this.sameTopic = false;
            }
          }
          this.bodyKept = k;
          this.bodySeen += end - i;
          i = end;
          continue;
        }
        if (this.header[0]! & 0x06 && at < topicEnd + 2) {
          this.readId(chunk[i++]!);
          continue;
        }
      } else if (code >= 4 && code <= 7) {
        if (at < 2) {
          this.readId(chunk[i++]!);
          continue;
        }
      } else if (code === 1 && at < KEPT_BODY_BYTES) {
        // CONNECT: client id and flags, kept to be described.
        this.body[this.bodyKept++] = chunk[i++]!;
        this.bodySeen++;
        this.lastTopic = undefined;
        continue;
      }
      // The rest (a payload) is counted, never copied.
      this.bodySeen += to - i;
      i = to;
    }
    return i;
  }

  private readId(b: number) {
    this.id = (this.id << 8) | b;
    this.idBytes++;
    this.bodySeen++;
  }

  private complete(onPacket: (p: WirePacket) => void) {
    const first = this.header[0]!;
    const code = first >> 4;
    if (code === 3 && (first & 0x06) === 0x06) {
      // [MQTT-3.3.1-4]: no PUBLISH has both QoS bits set; the broker closes such a connection, and
      // a QoS 3 handed on would be a flow of a kind nothing downstream knows.
      this.failed = "PUBLISH with QoS 3";
      return;
    }
    const p = this.packet;
    p.type = PACKET_TYPES[code]!;
    p.header = this.headerViews[this.headerLength]!;
    p.remainingLength = this.remaining;
    p.dup = false;
    p.qos = 0;
    p.retain = false;
    p.id = this.idBytes === 2 ? this.id : undefined;
    p.topic = undefined;
    p.payloadBytes = undefined;
    p.clientId = undefined;
    p.cleanSession = undefined;
    if (code === 3) {
      p.dup = (first & 0x08) !== 0;
      p.qos = ((first >> 1) & 0x03) as QoS;
      p.retain = (first & 0x01) !== 0;
      if (this.remaining >= 2) {
        p.topic = this.topicText ?? this.topic();
        p.payloadBytes = this.remaining - 2 - this.topicLength - (p.qos > 0 ? 2 : 0);
      }
    } else if (code >= 4 && code <= 7) {
      // PUBREL carries QoS 1 in its flags [MQTT-3.6.1-1]; the flow is a QoS 2 one either way.
      p.qos = code === 4 ? 1 : 2;
    } else if (code === 1) describeConnect(p, this.body, this.bodyKept);
    this.headerLength = 0;
    this.remaining = -1;
    onPacket(p);
  }

  /** The topic just copied, decoded only when it differs from the last one. */
  private topic(): string {
    if (!this.sameTopic || this.lastTopic === undefined || this.lastTopicLength !== this.bodyKept) {
      this.lastTopic = decoder.decode(this.body.subarray(0, this.bodyKept));
      this.lastTopicLength = this.bodyKept;
    }
    return this.lastTopic;
  }
  private lastTopicLength = 0;
}

function decodeLength(header: ArrayLike<number>, length = header.length): number {
  let value = 0;
  let mult = 1;
  for (let i = 1; i < length; i++) {
    value += (header[i]! & 0x7f) * mult;
    mult *= 128;
  }
  return value;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A string's length in UTF-8 bytes, without encoding it. */
function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Two bytes up to U+07FF, three up to U+FFFF; a surrogate pair (two units) makes four.
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** A big-endian two-byte integer of the kept body, if it was kept [MQTT-1.5.2]. */
function u16(body: Uint8Array, kept: number, at: number): number | undefined {
  return at + 1 < kept ? (body[at]! << 8) | body[at + 1]! : undefined;
}

/** A CONNECT's client id and clean-session flag, from its first body bytes [MQTT-3.1.2, 3.1.3]. */
function describeConnect(p: WirePacket, body: Uint8Array, kept: number) {
  const nameLength = u16(body, kept, 0);
  if (nameLength === undefined) return;
  const at = 2 + nameLength; // protocol level, then connect flags, then keep alive
  const connectFlags = at + 1 < kept ? body[at + 1] : undefined;
  if (connectFlags !== undefined) p.cleanSession = (connectFlags & 0x02) !== 0;
  const idLength = u16(body, kept, at + 4);
  if (idLength !== undefined) p.clientId = decoder.decode(body.subarray(at + 6, Math.min(kept, at + 6 + idLength)));
}

/** A fixed header read bit by bit, for the packet detail view. */
export function explainFixedHeader(header: Uint8Array): { bits: string; type: WirePacketType; flags: string; lengthBytes: string[]; remainingLength: number } {
  const first = header[0]!;
  const type = PACKET_TYPES[first >> 4]!;
  const flagBits = (first & 0x0f).toString(2).padStart(4, "0");
  const flags =
    type === "publish" ? `DUP=${flagBits[0]} QoS=${parseInt(flagBits.slice(1, 3), 2)} RETAIN=${flagBits[3]}` : `reserved ${flagBits}`;
  const lengthBytes = Array.from(header.subarray(1), (b) => b.toString(2).padStart(8, "0"));
  return { bits: first.toString(2).padStart(8, "0"), type, flags, lengthBytes, remainingLength: decodeLength(header) };
}

/** A fixed header as the trace carries it (hex) back to bytes. */
export function headerFromHex(hex: string): Uint8Array {
  const out = new Uint8Array(Math.floor(hex.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
