/**
 * From a frame to the IP packet it carries, by the interface's link-layer header type. Values
 * are LINKTYPE_* from the tcpdump.org link-layer header types registry, which is what pcap and
 * pcapng files hold; a few old DLT_* values that older files carry for raw IP are accepted too.
 */
import { u16, u32 } from "./bytes";

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
/** DLT_RAW as most systems numbered it (12) and as OpenBSD did (14), found in old files. */
export const DLT_RAW_12 = 12;
export const DLT_RAW_14 = 14;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q customer tag, 802.1ad service tag, and the pre-standard QinQ outer tag. */
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
/** An Ethernet type field at or below this is an 802.3 length, and an LLC header follows. */
const MAX_8023_LENGTH = 1500;
/** BSD address families in the NULL/LOOP header: AF_INET everywhere, AF_INET6 per OS. */
const AF_INET = 2;
const AF_INET6 = new Set([24 /* NetBSD, OpenBSD, BSD/OS */, 28 /* FreeBSD, DragonFly */, 30 /* Darwin */]);

export type LinkResult =
  | { kind: "ip"; packet: Uint8Array }
  /** A frame of another network protocol (ARP, LLC, ...), named for the counters and tests. */
  | { kind: "not-ip"; protocol: string }
  | { kind: "unsupported" }
  | { kind: "malformed"; message: string };

export function decodeLink(linkType: number, frame: Uint8Array): LinkResult {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return ethernet(frame);
    case LINKTYPE_LINUX_SLL:
      // Packet type, ARPHRD type, address length, 8 address bytes, then the protocol.
      return frame.length < 16 ? short("Linux cooked (SLL)") : byEthertype(u16(frame, 14), frame, 16);
    case LINKTYPE_LINUX_SLL2:
      // The protocol first, then reserved, interface index, ARPHRD type, packet type, address.
      return frame.length < 20 ? short("Linux cooked v2 (SLL2)") : byEthertype(u16(frame, 0), frame, 20);
    case LINKTYPE_NULL:
      return frame.length < 4 ? short("BSD loopback") : byFamily(hostOrderFamily(frame), frame);
    case LINKTYPE_LOOP:
      return frame.length < 4 ? short("OpenBSD loopback") : byFamily(u32(frame, 0), frame);
    case LINKTYPE_RAW:
    case DLT_RAW_12:
    case DLT_RAW_14:
      return rawIp(frame, undefined);
    case LINKTYPE_IPV4:
      return rawIp(frame, 4);
    case LINKTYPE_IPV6:
      return rawIp(frame, 6);
    default:
      return { kind: "unsupported" };
  }
}

function ethernet(frame: Uint8Array): LinkResult {
  if (frame.length < 14) return short("Ethernet");
  const type = u16(frame, 12);
  if (type > MAX_8023_LENGTH) return byEthertype(type, frame, 14);
  // 802.3 with LLC: IP only when a SNAP header carries an Ethernet type (RFC 1042).
  const snap = frame.length >= 22 && frame[14] === 0xaa && frame[15] === 0xaa && frame[16] === 0x03 && frame[17] === 0 && frame[18] === 0 && frame[19] === 0;
  return snap ? byEthertype(u16(frame, 20), frame, 22) : { kind: "not-ip", protocol: "802.3 LLC" };
}

/** Skips any VLAN tags (each 4 bytes: TCI, then the next type), then takes IPv4 or IPv6. */
function byEthertype(first: number, frame: Uint8Array, from: number): LinkResult {
  let type = first;
  let at = from;
  while (VLAN_TPIDS.has(type)) {
    if (frame.length < at + 4) return short("VLAN tag");
    type = u16(frame, at + 2);
    at += 4;
  }
  if (type === ETHERTYPE_IPV4) return rawIp(frame.subarray(at), 4);
  if (type === ETHERTYPE_IPV6) return rawIp(frame.subarray(at), 6);
  return { kind: "not-ip", protocol: `ethertype 0x${type.toString(16).padStart(4, "0")}` };
}

/**
 * DLT_NULL's family is in the byte order of the machine that captured, which the file does not
 * say. Families are small numbers, so one with its high half set was written the other way round.
 */
function hostOrderFamily(frame: Uint8Array): number {
  const little = (frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24)) >>> 0;
  return little & 0xffff0000 ? u32(frame, 0) : little;
}

function byFamily(family: number, frame: Uint8Array): LinkResult {
  if (family === AF_INET) return rawIp(frame.subarray(4), 4);
  if (AF_INET6.has(family)) return rawIp(frame.subarray(4), 6);
  return { kind: "not-ip", protocol: `address family ${family}` };
}

/** An IP packet, its version read from its first nibble and checked against what the link said. */
function rawIp(packet: Uint8Array, expected: 4 | 6 | undefined): LinkResult {
  if (packet.length === 0) return short("IP");
  const version = packet[0]! >> 4;
  if (version !== 4 && version !== 6) return { kind: "malformed", message: `IP version ${version}` };
  if (expected !== undefined && version !== expected) return { kind: "malformed", message: `IPv${version} packet where IPv${expected} was announced` };
  return { kind: "ip", packet };
}

function short(what: string): LinkResult {
  return { kind: "malformed", message: `frame too short for its ${what} header` };
}
