/**
 * Splits one direction of an MQTT byte stream into packets, as a tap beside the broker sees it:
 * each packet's fixed header bytes kept as they were on the wire, the fields a trace needs
 * (type, DUP, QoS, RETAIN, packet id, topic; client id and clean session of a CONNECT), and the
 * remaining length. Bodies are never buffered beyond what those fields need, so a 10 MB payload
 * costs the tap nothing but counting. Pure and incremental: bytes in, packets out, any chunking.
 * Field layouts: MQTT 3.1.1 sections 2.2 (fixed header), 3.1 (CONNECT), 3.3 (PUBLISH).
 */

export const PACKET_TYPES = [
  "reserved",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
] as const;
export type WirePacketType = (typeof PACKET_TYPES)[number];

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
  qos: 0 | 1 | 2;
  retain: boolean;
  id?: number;
  topic?: string;
  payloadBytes?: number;
  clientId?: string;
  cleanSession?: boolean;
}

const NONE: WirePacket[] = [];

/** What a packet is, read before describing it in full: enough to decide whether to keep it. */
export interface PacketPeek {
  type: WirePacketType;
  qos: 0 | 1 | 2;
  dup: boolean;
  id?: number;
}

export class MqttFramer {
  /** Reused for every packet, so a packet the caller declines costs no allocation. */
  private readonly peek: PacketPeek = { type: "reserved", qos: 0, dup: false, id: undefined };
  /** The fixed header so far: type byte and up to four length bytes. */
  private readonly header = new Uint8Array(1 + MAX_LENGTH_BYTES);
  private headerLength = 0;
  private remaining = -1;
  /** Reused for every packet: describe() copies out what it keeps, and the GC has less to do. */
  private readonly body = new Uint8Array(KEPT_BODY_BYTES);
  private bodyKept = 0;
  private bodySeen = 0;
  /** Set once the stream is not MQTT (or is corrupt): the tap stops rather than guess. */
  failed: string | null = null;

  /** How many body bytes describe() needs for this packet, given what is kept so far. */
  private wanted(): number {
    const max = Math.min(this.remaining, KEPT_BODY_BYTES);
    switch (this.header[0]! >> 4) {
      case 3: {
        // PUBLISH: topic length, topic, then the packet id when QoS > 0 [MQTT-3.3.2].
        if (this.bodyKept < 2) return Math.min(2, max);
        const idBytes = this.header[0]! & 0x06 ? 2 : 0;
        return Math.min(max, 2 + ((this.body[0]! << 8) | this.body[1]!) + idBytes);
      }
      case 4:
      case 5:
      case 6:
      case 7:
        return Math.min(2, max); // the packet id
      case 1:
        return max; // CONNECT: client id and flags
      default:
        return 0;
    }
  }

  private peekAt(): PacketPeek {
    const first = this.header[0]!;
    const code = first >> 4;
    const p = this.peek;
    p.type = PACKET_TYPES[code]!;
    p.dup = code === 3 && (first & 0x08) !== 0;
    p.qos = code === 3 ? (((first >> 1) & 0x03) as 0 | 1 | 2) : code === 4 ? 1 : code >= 5 && code <= 7 ? 2 : 0;
    p.id = undefined;
    if (code === 3 && p.qos > 0) {
      const topicLength = u16(this.body, this.bodyKept, 0);
      if (topicLength !== undefined) p.id = u16(this.body, this.bodyKept, 2 + topicLength);
    } else if (code >= 4 && code <= 7) p.id = u16(this.body, this.bodyKept, 0);
    return p;
  }

  /** The packets `chunk` completes; with `accept`, only those it accepts are described. */
  push(chunk: Uint8Array, accept?: (peek: PacketPeek) => boolean): WirePacket[] {
    // Most writes complete no packet (Aedes writes a header, a topic, a payload apart): no array for them.
    let out: WirePacket[] = NONE;
    let i = 0;
    while (i < chunk.length && !this.failed) {
      if (this.remaining < 0) {
        const b = chunk[i++]!;
        if (this.headerLength > MAX_LENGTH_BYTES) {
          this.failed = "remaining length longer than four bytes";
          break;
        }
        this.header[this.headerLength++] = b;
        if (this.headerLength === 1 || b & 0x80) continue;
        this.remaining = decodeLength(this.header, this.headerLength);
        this.bodyKept = 0;
        this.bodySeen = 0;
      } else {
        const take = Math.min(chunk.length - i, this.remaining - this.bodySeen);
        // Only the bytes the fields need (a PUBLISH's payload is counted, never copied), by a
        // plain loop: they are a few dozen, and subarray() on a Buffer allocates.
        let k = 0;
        let want = this.wanted();
        while (k < take && this.bodyKept < want) {
          this.body[this.bodyKept++] = chunk[i + k++]!;
          // A PUBLISH's first two bytes say how long its topic is, and so how much more to keep.
          if (this.bodyKept === 2) want = this.wanted();
        }
        this.bodySeen += take;
        i += take;
      }
      if (this.remaining >= 0 && this.bodySeen === this.remaining) {
        if (!accept || accept(this.peekAt())) {
          if (out === NONE) out = [];
          out.push(describe(this.header.slice(0, this.headerLength), this.remaining, this.body, this.bodyKept));
        }
        this.headerLength = 0;
        this.remaining = -1;
      }
    }
    return out;
  }
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

const utf8 = new TextDecoder();

/** A big-endian two-byte integer of the kept body, if it was kept [MQTT-1.5.2]. */
function u16(body: Uint8Array, kept: number, at: number): number | undefined {
  return at + 1 < kept ? (body[at]! << 8) | body[at + 1]! : undefined;
}

function describe(header: Uint8Array, remainingLength: number, body: Uint8Array, kept: number): WirePacket {
  const first = header[0]!;
  const type = PACKET_TYPES[first >> 4]!;
  const flags = first & 0x0f;
  const p: WirePacket = { type, header, remainingLength, dup: false, qos: 0, retain: false };
  switch (type) {
    case "publish": {
      p.dup = (flags & 0x08) !== 0;
      p.qos = ((flags >> 1) & 0x03) as 0 | 1 | 2;
      p.retain = (flags & 0x01) !== 0;
      const topicLength = u16(body, kept, 0);
      if (topicLength === undefined) break;
      p.topic = utf8.decode(body.subarray(2, Math.min(kept, 2 + topicLength)));
      const afterTopic = 2 + topicLength;
      if (p.qos > 0) p.id = u16(body, kept, afterTopic);
      p.payloadBytes = remainingLength - afterTopic - (p.qos > 0 ? 2 : 0);
      break;
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      p.id = u16(body, kept, 0);
      // PUBREL carries QoS 1 in its flags [MQTT-3.6.1-1]; the flow is a QoS 2 one either way.
      p.qos = type === "puback" ? 1 : 2;
      break;
    case "connect": {
      const nameLength = u16(body, kept, 0);
      if (nameLength === undefined) break;
      const at = 2 + nameLength; // protocol level, then connect flags, then keep alive
      const connectFlags = at + 1 < kept ? body[at + 1] : undefined;
      if (connectFlags !== undefined) p.cleanSession = (connectFlags & 0x02) !== 0;
      const idLength = u16(body, kept, at + 4);
      if (idLength !== undefined) p.clientId = utf8.decode(body.subarray(at + 6, Math.min(kept, at + 6 + idLength)));
      break;
    }
    default:
      break;
  }
  return p;
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
