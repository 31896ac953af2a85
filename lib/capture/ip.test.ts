import { describe, expect, it } from "vitest";
import { authHeader, concat, extension, fragmentHeader, ipv4, ipv6, text } from "./fixtures/build";
import { IpDecoder } from "./ip";

const segment = text("a TCP segment, header and payload alike, as far as IP is concerned");

describe("IpDecoder, IPv4", () => {
  it("returns a TCP datagram's addresses and payload, past its header options", () => {
    const packet = ipv4({ src: "192.168.1.10", dst: "10.1.2.3", options: [0x94, 0x04, 0, 0, 1, 1, 1, 0], payload: segment });
    expect(new IpDecoder().decode(packet, 0)).toEqual({ kind: "tcp", datagram: { src: "192.168.1.10", dst: "10.1.2.3", protocol: 6, payload: segment } });
  });

  it("drops the link layer's padding after the total length", () => {
    const packet = concat(ipv4({ payload: Uint8Array.of(1, 2) }), new Uint8Array(20));
    const r = new IpDecoder().decode(packet, 0);
    expect(r.kind === "tcp" && Array.from(r.datagram.payload)).toEqual([1, 2]);
  });

  it("takes a total length of 0 for a segment captured before offload split it", () => {
    const r = new IpDecoder().decode(ipv4({ totalLength: 0, payload: segment }), 0);
    expect(r.kind === "tcp" && r.datagram.payload).toEqual(segment);
  });

  it("names other protocols without decoding them", () => {
    expect(new IpDecoder().decode(ipv4({ protocol: 17, payload: segment }), 0)).toEqual({ kind: "other", protocol: 17 });
  });

  it.each([
    ["a header cut short", ipv4({ payload: segment }).subarray(0, 19), /cut short/],
    ["a header length under 20", (() => { const p = ipv4({ payload: segment }); p[0] = 0x44; return p; })(), /header length 16/],
    ["a total length under the header's", ipv4({ totalLength: 12, payload: segment }), /less than its header/],
    ["a packet cut at the snapshot length", ipv4({ payload: segment }).subarray(0, 40), /cut at the snapshot length/],
  ])("reports %s", (_, packet, message) => {
    expect(new IpDecoder().decode(packet, 0)).toEqual({ kind: "malformed", message: expect.stringMatching(message) });
  });

  const pieces = (id: number, src = "10.0.0.1") => [
    ipv4({ id, src, more: true, offset: 0, payload: segment.subarray(0, 24) }),
    ipv4({ id, src, more: true, offset: 24, payload: segment.subarray(24, 48) }),
    ipv4({ id, src, more: false, offset: 48, payload: segment.subarray(48) }),
  ];

  it("puts fragments back together in any order, duplicates included", () => {
    const ip = new IpDecoder();
    const [a, b, c] = pieces(7);
    expect([c!, a!, a!].map((p) => ip.decode(p, 0).kind)).toEqual(["fragment", "fragment", "fragment"]);
    expect(ip.decode(b!, 1)).toEqual({ kind: "tcp", datagram: { src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, payload: segment } });
    expect(ip.fragments).toBe(4);
    expect(ip.fragmentsDropped).toBe(0);
  });

  it("keeps datagrams apart by source, destination, protocol and identification", () => {
    const ip = new IpDecoder();
    const one = pieces(1);
    const other = pieces(1, "10.0.0.9");
    const results = [one[0], other[0], one[1], other[1], other[2], one[2]].map((p) => ip.decode(p!, 0));
    expect(results.filter((r) => r.kind === "tcp").map((r) => r.kind === "tcp" && r.datagram.src)).toEqual(["10.0.0.9", "10.0.0.1"]);
  });

  it("drops a datagram whose fragments do not all arrive within the timeout in capture time", () => {
    const ip = new IpDecoder({ timeoutMs: 1000, maxDatagrams: 10, maxBytes: 1 << 20 });
    const [a, b, c] = pieces(3);
    ip.decode(a!, 0);
    ip.decode(b!, 500);
    expect(ip.decode(c!, 1000).kind).toBe("fragment");
    expect(ip.fragmentsDropped).toBe(2);
  });

  it("bounds the datagrams and bytes held, dropping the oldest first", () => {
    const ip = new IpDecoder({ timeoutMs: 60_000, maxDatagrams: 2, maxBytes: 1 << 20 });
    for (const id of [1, 2, 3]) ip.decode(pieces(id)[0]!, 0);
    expect(ip.fragmentsDropped).toBe(1);
    // Datagram 1 was the one dropped: its other fragments can no longer complete it.
    expect(pieces(1).slice(1).map((p) => ip.decode(p, 0).kind)).toEqual(["fragment", "fragment"]);
    expect(pieces(3).slice(1).map((p) => ip.decode(p, 0).kind)).toEqual(["fragment", "tcp"]);
    const small = new IpDecoder({ timeoutMs: 60_000, maxDatagrams: 10, maxBytes: 30 });
    small.decode(pieces(1)[0]!, 0);
    small.decode(pieces(2)[0]!, 0);
    expect(small.fragmentsDropped).toBe(1);
  });

  it("drops a datagram whose fragments disagree on its length", () => {
    const ip = new IpDecoder();
    const [a, , c] = pieces(4);
    ip.decode(c!, 0);
    ip.decode(ipv4({ id: 4, more: false, offset: 8, payload: segment.subarray(8, 16) }), 0);
    expect(ip.decode(a!, 0).kind).toBe("fragment");
    expect(ip.fragmentsDropped).toBe(2);
  });

  it("drops a fragment that would make the datagram longer than 65,535 bytes", () => {
    const ip = new IpDecoder();
    expect(ip.decode(ipv4({ id: 5, offset: 65528, payload: new Uint8Array(16) }), 0).kind).toBe("fragment");
    expect(ip.fragmentsDropped).toBe(1);
  });

  it("does not hold fragments of other protocols", () => {
    const ip = new IpDecoder();
    expect(ip.decode(ipv4({ protocol: 17, more: true, payload: segment }), 0)).toEqual({ kind: "other", protocol: 17 });
    expect(ip.fragments).toBe(1);
  });
});

describe("IpDecoder, IPv6", () => {
  it("returns a TCP datagram with its addresses in RFC 5952 form", () => {
    const r = new IpDecoder().decode(ipv6({ src: "2001:db8:0:0:0:0:0:1", dst: "::1", payload: segment }), 0);
    expect(r).toEqual({ kind: "tcp", datagram: { src: "2001:db8::1", dst: "::1", protocol: 6, payload: segment } });
  });

  it("walks hop-by-hop, routing, destination options and AH headers to the TCP segment", () => {
    const chain = concat(extension(43, new Uint8Array(4)), extension(60, new Uint8Array(12)), extension(51, new Uint8Array(0)), authHeader(6), segment);
    const r = new IpDecoder().decode(ipv6({ next: 0, payload: chain }), 0);
    expect(r.kind === "tcp" && r.datagram.payload).toEqual(segment);
  });

  it.each([
    ["ESP", 50],
    ["no next header", 59],
    ["ICMPv6", 58],
    ["UDP", 17],
  ])("names %s without decoding it", (_, next) => {
    expect(new IpDecoder().decode(ipv6({ next, payload: segment }), 0)).toEqual({ kind: "other", protocol: next });
  });

  it("puts fragments back together, with the headers that follow the fragment header", () => {
    const fragmentable = concat(extension(6, new Uint8Array(6)), segment);
    const ip = new IpDecoder();
    const frag = (offset: number, end: number, more: boolean) => ipv6({ next: 0, payload: concat(extension(44, new Uint8Array(6)), fragmentHeader(60, offset, more, 0xdeadbeef), fragmentable.subarray(offset, end)) });
    expect(ip.decode(frag(32, fragmentable.length, false), 0).kind).toBe("fragment");
    const r = ip.decode(frag(0, 32, true), 0);
    expect(r.kind === "tcp" && r.datagram.payload).toEqual(segment);
    expect(ip.fragments).toBe(2);
  });

  it("takes an atomic fragment (offset 0, no more) as a whole packet", () => {
    const ip = new IpDecoder();
    const r = ip.decode(ipv6({ next: 44, payload: concat(fragmentHeader(6, 0, false, 1), segment) }), 0);
    expect(r.kind === "tcp" && r.datagram.payload).toEqual(segment);
    expect(ip.fragments).toBe(0);
  });

  it("does not hold fragments of other protocols", () => {
    expect(new IpDecoder().decode(ipv6({ next: 44, payload: concat(fragmentHeader(17, 0, true, 1), segment) }), 0)).toEqual({ kind: "other", protocol: 17 });
  });

  it("takes a payload length of 0 as what was captured", () => {
    const r = new IpDecoder().decode(ipv6({ payloadLength: 0, payload: segment }), 0);
    expect(r.kind === "tcp" && r.datagram.payload).toEqual(segment);
  });

  it.each([
    ["a header cut short", ipv6({ payload: segment }).subarray(0, 39), /cut short/],
    ["a packet cut at the snapshot length", ipv6({ payload: segment }).subarray(0, 50), /cut at the snapshot length/],
    ["an extension header running past the packet", ipv6({ next: 60, payload: Uint8Array.of(6, 4, 0, 0, 0, 0, 0, 0) }), /runs past the packet/],
    ["an extension header cut short", ipv6({ next: 60, payload: Uint8Array.of(6) }), /cut short/],
    ["a fragment header cut short", ipv6({ next: 44, payload: Uint8Array.of(6, 0, 0) }), /fragment header cut short/],
    ["IP version 0", new Uint8Array(40), /IP version 0/],
  ])("reports %s", (_, packet, message) => {
    expect(new IpDecoder().decode(packet, 0)).toEqual({ kind: "malformed", message: expect.stringMatching(message) });
  });
});
