import { describe, expect, it } from "vitest";
import { concat, ethernet, ipv4, ipv6 } from "./fixtures/build";
import { decodeLink } from "./link";

const v4 = ipv4({ payload: Uint8Array.of(1, 2, 3) });
const v6 = ipv6({ payload: Uint8Array.of(1, 2, 3) });
const u32le = (v: number) => Uint8Array.of(v, v >> 8, v >> 16, v >> 24);
const u32be = (v: number) => Uint8Array.of(v >> 24, v >> 16, v >> 8, v);

function sll(protocol: number, packet: Uint8Array) {
  // Packet type 0 (to us), ARPHRD_ETHER (1), address length 6, 8 address bytes, protocol.
  return concat([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, protocol >> 8, protocol & 0xff], packet);
}

function sll2(protocol: number, packet: Uint8Array) {
  // Protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
  return concat([protocol >> 8, protocol & 0xff, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0], packet);
}

describe("decodeLink", () => {
  it.each([
    ["Ethernet", 1, ethernet(0x0800, v4), v4],
    ["Ethernet, IPv6", 1, ethernet(0x86dd, v6), v6],
    ["Ethernet with an 802.1Q tag", 1, ethernet(0x0800, v4, [0x8100]), v4],
    ["Ethernet with 802.1ad and 802.1Q tags (QinQ)", 1, ethernet(0x86dd, v6, [0x88a8, 0x8100]), v6],
    ["Ethernet with the old 0x9100 QinQ tag", 1, ethernet(0x0800, v4, [0x9100, 0x8100]), v4],
    ["802.3 with a SNAP header", 1, concat(ethernet(v4.length + 8, Uint8Array.of(0xaa, 0xaa, 3, 0, 0, 0, 8, 0)), v4), v4],
    ["Linux cooked (SLL)", 113, sll(0x0800, v4), v4],
    ["Linux cooked with a VLAN tag", 113, sll(0x8100, concat([0, 5, 0x86, 0xdd], v6)), v6],
    ["Linux cooked v2 (SLL2)", 276, sll2(0x86dd, v6), v6],
    ["BSD loopback, little-endian AF_INET", 0, concat(u32le(2), v4), v4],
    ["BSD loopback, big-endian AF_INET", 0, concat(u32be(2), v4), v4],
    ["BSD loopback, NetBSD/OpenBSD AF_INET6 (24)", 0, concat(u32le(24), v6), v6],
    ["BSD loopback, FreeBSD AF_INET6 (28), big-endian", 0, concat(u32be(28), v6), v6],
    ["BSD loopback, Darwin AF_INET6 (30)", 0, concat(u32le(30), v6), v6],
    ["OpenBSD loopback (LOOP)", 108, concat(u32be(2), v4), v4],
    ["raw IP (101), IPv4", 101, v4, v4],
    ["raw IP (101), IPv6", 101, v6, v6],
    ["raw IP (12)", 12, v4, v4],
    ["raw IP (14)", 14, v6, v6],
    ["IPv4 (228)", 228, v4, v4],
    ["IPv6 (229)", 229, v6, v6],
  ])("finds the IP packet in %s", (_, linkType, frame, packet) => {
    expect(decodeLink(linkType, frame)).toEqual({ kind: "ip", packet });
  });

  it.each([
    ["ARP over Ethernet", 1, ethernet(0x0806, new Uint8Array(28)), "ethertype 0x0806"],
    ["802.3 LLC without SNAP", 1, ethernet(46, new Uint8Array(46).fill(0x42)), "802.3 LLC"],
    ["ARP in Linux cooked v2", 276, sll2(0x0806, new Uint8Array(28)), "ethertype 0x0806"],
    ["another address family on loopback", 0, concat(u32le(7), v4), "address family 7"],
  ])("passes over %s as not IP", (_, linkType, frame, protocol) => {
    expect(decodeLink(linkType, frame)).toEqual({ kind: "not-ip", protocol });
  });

  it.each([
    ["a short Ethernet frame", 1, new Uint8Array(10)],
    ["a VLAN tag cut short", 1, ethernet(0x8100, Uint8Array.of(0))],
    ["a short cooked header", 113, new Uint8Array(15)],
    ["a short cooked v2 header", 276, new Uint8Array(19)],
    ["a short loopback header", 0, new Uint8Array(3)],
    ["an empty raw packet", 101, new Uint8Array(0)],
    ["IP version 5", 101, Uint8Array.of(0x50)],
    ["IPv6 on the IPv4 link type", 228, v6],
    ["IPv4 on the IPv6 link type", 229, v4],
  ])("reports %s as malformed", (_, linkType, frame) => {
    expect(decodeLink(linkType, frame).kind).toBe("malformed");
  });

  it("names a link type it cannot decode", () => {
    expect(decodeLink(127 /* 802.11 radiotap */, new Uint8Array(40))).toEqual({ kind: "unsupported" });
  });
});
