/**
 * From an IP packet to the TCP segment it carries: IPv4 with its options skipped, IPv6 through its
 * extension headers, and fragments of either put back together first. Checksums are not checked:
 * a capture taken on the sending host sees packets before the NIC fills them in (checksum offload).
 * Layouts: RFC 791 3.1 (IPv4), RFC 8200 4 (IPv6 extension headers), RFC 4302 2 (AH).
 */
import { ipv4Text, ipv6Text } from "./address";
import { u16, u32 } from "./bytes";
import { DEFAULT_FRAGMENT_LIMITS, FragmentReassembler, type FragmentLimits } from "./ip-fragments";

export const PROTOCOL_TCP = 6;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DESTINATION = 60;
/** Headers whose length is in 8-byte units, not counting the first 8 [RFC 8200 4.3, 4.4, 4.6]. */
const EIGHT_BYTE_UNIT_HEADERS = new Set([IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DESTINATION]);
/** What may follow a fragment header and still lead to TCP: worth reassembling. */
const TOWARDS_TCP = new Set([PROTOCOL_TCP, ...EIGHT_BYTE_UNIT_HEADERS, IPV6_AH]);

export interface IpDatagram {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
}

export type IpResult =
  | { kind: "tcp"; datagram: IpDatagram }
  /** A fragment filed until the rest of its datagram arrives. */
  | { kind: "fragment" }
  /** Another protocol (UDP, ICMP, ESP, ...): not decoded further, its fragments not reassembled. */
  | { kind: "other"; protocol: number }
  | { kind: "malformed"; message: string };

export class IpDecoder {
  private readonly reassembler: FragmentReassembler;
  /** Fragments seen, of any protocol. */
  fragments = 0;

  constructor(limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {
    this.reassembler = new FragmentReassembler(limits);
  }

  /** Fragments thrown away because their datagram never completed within the bounds. */
  get fragmentsDropped(): number {
    return this.reassembler.dropped;
  }

  /** The TCP in `packet`, captured at `ts` (capture time drives the fragment timeout). */
  decode(packet: Uint8Array, ts: number): IpResult {
    this.reassembler.expire(ts);
    const version = packet.length > 0 ? packet[0]! >> 4 : 0;
    if (version === 4) return this.ipv4(packet, ts);
    if (version === 6) return this.ipv6(packet, ts);
    return malformed(`IP version ${version}`);
  }

  private ipv4(packet: Uint8Array, ts: number): IpResult {
    if (packet.length < 20) return malformed("IPv4 header cut short");
    const headerLength = (packet[0]! & 0x0f) * 4;
    if (headerLength < 20 || headerLength > packet.length) return malformed(`IPv4 header length ${headerLength}`);
    // Total length 0: a segment captured before the NIC split it (TCP segmentation offload).
    const total = u16(packet, 2) || packet.length;
    if (total < headerLength) return malformed(`IPv4 total length ${total} is less than its header`);
    if (total > packet.length) return cut(total, packet.length);
    const protocol = packet[9]!;
    const flags = u16(packet, 6);
    const more = (flags & 0x2000) !== 0;
    const offset = (flags & 0x1fff) * 8;
    // Any bytes after `total` are link-layer padding (Ethernet pads short frames to 60 bytes).
    let payload = packet.subarray(headerLength, total);
    if (more || offset > 0) {
      this.fragments++;
      if (protocol !== PROTOCOL_TCP) return { kind: "other", protocol };
      // Keyed by source, destination, protocol and identification [RFC 791 3.2].
      const key = `4 ${u32(packet, 12)} ${u32(packet, 16)} ${protocol} ${u16(packet, 4)}`;
      const whole = this.reassembler.add(key, offset, payload, more, ts);
      if (!whole) return { kind: "fragment" };
      payload = whole;
    }
    if (protocol !== PROTOCOL_TCP) return { kind: "other", protocol };
    return { kind: "tcp", datagram: { src: ipv4Text(packet, 12), dst: ipv4Text(packet, 16), protocol, payload } };
  }

  private ipv6(packet: Uint8Array, ts: number): IpResult {
    if (packet.length < 40) return malformed("IPv6 header cut short");
    const payloadLength = u16(packet, 4);
    // Payload length 0: a jumbogram or a segment captured before offload split it; take what was captured.
    const end = payloadLength === 0 ? packet.length : 40 + payloadLength;
    if (end > packet.length) return cut(end, packet.length);
    const src = ipv6Text(packet, 8);
    const dst = ipv6Text(packet, 24);
    let bytes = packet;
    let next = packet[6]!;
    let at = 40;
    let stop = end;
    for (;;) {
      if (next === PROTOCOL_TCP) return { kind: "tcp", datagram: { src, dst, protocol: next, payload: bytes.subarray(at, stop) } };
      if (EIGHT_BYTE_UNIT_HEADERS.has(next) || next === IPV6_AH) {
        if (at + 2 > stop) return malformed(`IPv6 extension header ${next} cut short`);
        const length = next === IPV6_AH ? (bytes[at + 1]! + 2) * 4 : (bytes[at + 1]! + 1) * 8;
        next = bytes[at]!;
        at += length;
        if (at > stop) return malformed("IPv6 extension header runs past the packet");
        continue;
      }
      if (next !== IPV6_FRAGMENT) return { kind: "other", protocol: next };
      if (at + 8 > stop) return malformed("IPv6 fragment header cut short");
      const following = bytes[at]!;
      const field = u16(bytes, at + 2);
      const offset = field & 0xfff8;
      const more = (field & 1) !== 0;
      const id = u32(bytes, at + 4);
      at += 8;
      next = following;
      // An atomic fragment (offset 0, no more) is a whole packet [RFC 6946].
      if (offset === 0 && !more) continue;
      this.fragments++;
      if (!TOWARDS_TCP.has(following)) return { kind: "other", protocol: following };
      // Keyed by source, destination and identification [RFC 8200 4.5].
      const whole = this.reassembler.add(`6 ${src} ${dst} ${id}`, offset, bytes.subarray(at, stop), more, ts);
      if (!whole) return { kind: "fragment" };
      bytes = whole;
      at = 0;
      stop = whole.length;
    }
  }
}

function malformed(message: string): IpResult {
  return { kind: "malformed", message };
}

function cut(length: number, captured: number): IpResult {
  return malformed(`IP packet of ${length} bytes captured as ${captured}: cut at the snapshot length, its TCP bytes are missing`);
}
