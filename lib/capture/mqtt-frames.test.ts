import { describe, expect, it } from "vitest";
import { concat, hex, text } from "./fixtures/build";
import { connect, NO_PROPS, packet, props, publish, str, u16 } from "./fixtures/mqtt-build";
import { MAX_KEPT_PACKET_BYTES, MqttFramer, type FramedPacket } from "./mqtt-frames";
import { MAX_PAYLOAD_HEAD_BYTES } from "./mqtt-packet";
import type { MalformedPacket, MqttVersion } from "./mqtt-types";

function framer(version: MqttVersion | "unknown" = 4) {
  const got = { packets: [] as FramedPacket[], malformed: [] as MalformedPacket[], skipped: 0 };
  const f = new MqttFramer(() => (version === "unknown" ? undefined : version), {
    packet: (p) => got.packets.push({ ...p, bytes: p.bytes.slice() }),
    malformed: (p) => got.malformed.push(p),
    skipped: (n) => (got.skipped += n),
  });
  return { f, got, hexes: () => got.packets.map((p) => hex(p.bytes)) };
}

const STREAM = [connect({}), publish({ qos: 1, id: 1 }), packet(0x40, u16(1)), publish({ payload: new Uint8Array(300) }), Uint8Array.of(0xc0, 0), Uint8Array.of(0xe0, 0)];

describe("MqttFramer", () => {
  it("splits a stream into its packets in any chunking", () => {
    const bytes = concat(...STREAM);
    for (const chunk of [1, 2, 3, 17, 64, bytes.length]) {
      const { f, got, hexes } = framer();
      for (let i = 0; i < bytes.length; i += chunk) f.push(bytes.subarray(i, i + chunk), i);
      f.end(bytes.length);
      // A PUBLISH that arrives in pieces is kept up to its payload head; the rest whole.
      expect(hexes()).toEqual(STREAM.map((p, k) => hex(p.subarray(0, got.packets[k]!.bytes.length))));
      expect(got.packets.map((p) => p.packetLength)).toEqual(STREAM.map((p) => p.length));
      expect(got.packets[3]!.bytes.length).toBe(chunk === bytes.length ? 329 : 329 - 44);
      expect(got.malformed).toEqual([]);
      expect(got.skipped).toBe(0);
    }
  });

  it("stamps each packet with the time of the chunk that completed it", () => {
    const { f, got } = framer();
    const p = publish({});
    f.push(p.subarray(0, 5), 10);
    f.push(p.subarray(5), 20);
    expect(got.packets[0]!.ts).toBe(20);
  });

  it("keeps a large PUBLISH's variable header and payload head only, counting the rest", () => {
    const big = publish({ qos: 1, payload: new Uint8Array(3_000_000) });
    const { f, got } = framer();
    for (let i = 0; i < big.length; i += 65_536) f.push(big.subarray(i, i + 65_536), 0);
    const head = 1 + 4 + 2 + 24 + 2;
    expect(got.packets).toHaveLength(1);
    expect(got.packets[0]!.packetLength).toBe(big.length);
    expect(got.packets[0]!.bytes.length).toBe(head + MAX_PAYLOAD_HEAD_BYTES);
  });

  it("keeps an MQTT 5 PUBLISH's properties too, and with the version unknown", () => {
    const big = publish({ v5: true, payload: new Uint8Array(100_000), properties: props([0x26, concat(str("k"), str("v"))]) });
    for (const version of [5, "unknown"] as const) {
      const { f, got } = framer(version);
      for (let i = 0; i < big.length; i += 1000) f.push(big.subarray(i, i + 1000), 0);
      expect(got.packets[0]!.bytes.length).toBe(1 + 3 + 2 + 24 + 1 + 7 + MAX_PAYLOAD_HEAD_BYTES);
    }
  });

  it("keeps at most 1 MiB of any other packet", () => {
    const filters = Array.from({ length: 150_000 }, (_, i) => Array.from(concat(str(`f/${i}`), [1]))).flat();
    const sub = packet(0x82, u16(1), filters);
    const { f, got } = framer();
    f.push(sub, 0);
    f.push(sub.subarray(0, 0), 0);
    // Given whole in one chunk it is passed as it is; in pieces it is kept up to the limit.
    const pieces = framer();
    for (let i = 0; i < sub.length; i += 4096) pieces.f.push(sub.subarray(i, i + 4096), 0);
    expect(got.packets[0]!.bytes.length).toBe(sub.length);
    expect(pieces.got.packets[0]!).toMatchObject({ packetLength: sub.length });
    expect(pieces.got.packets[0]!.bytes.length).toBe(MAX_KEPT_PACKET_BYTES);
  });

  it("reports a packet cut by a gap or by the end as truncated, then finds the next boundary", () => {
    const a = publish({ qos: 1, id: 5 });
    const b = packet(0x40, u16(5));
    const { f, got, hexes } = framer();
    f.push(a.subarray(0, 12), 0);
    f.gap(1);
    // The capture resumes inside a payload: those bytes are skipped, the next packets found.
    f.push(concat(text("seq\":1}"), b, a, a.subarray(0, 6)), 2);
    f.end(3);
    expect(got.malformed.map((m) => [m.declared, m.error, m.reason])).toEqual([
      ["PUBLISH", "truncated", `cut by a gap in the capture after 12 of its ${a.length} bytes`],
      ["PUBLISH", "truncated", `cut by the end of the capture after 6 of its ${a.length} bytes`],
    ]);
    expect(hexes()).toEqual([hex(b), hex(a)]);
    expect(got.skipped).toBe(7);
  });

  it("waits for the next header to confirm a boundary, and takes the stream's end as one", () => {
    const b = packet(0x40, u16(5));
    const { f, got } = framer();
    f.startMidStream();
    f.push(concat([0x00, 0x17], b), 0);
    expect(got.packets).toHaveLength(0);
    // One byte of the next header does not confirm it; two (a type and a length) do.
    f.push(b.subarray(0, 1), 1);
    expect(got.packets).toHaveLength(0);
    f.push(b.subarray(1, 2), 1);
    expect(got.packets).toHaveLength(1);
    f.push(b.subarray(2), 2);
    f.end(3);
    expect(got.packets).toHaveLength(2);
    expect(got.skipped).toBe(2);
  });

  it("never invents a packet from bytes that only look like headers", () => {
    // 0x40 0x02 looks like a PUBACK, but what follows it is not a packet boundary.
    const noise = Uint8Array.from([0x40, 0x02, 0x00, 0x01, 0x77, 0x77, 0x77, 0xff, 0x20, 0x05, 0x01]);
    const { f, got } = framer();
    f.startMidStream();
    f.push(noise, 0);
    f.end(1);
    expect(got.packets).toEqual([]);
    expect(got.skipped).toBe(noise.length);
  });

  it("reports a bad fixed header once, then resynchronises", () => {
    const b = packet(0x40, u16(5));
    const { f, got, hexes } = framer();
    f.push(concat(b, [0x00, 0x00], [0x01, 0x02], b, b), 0);
    f.end(1);
    expect(got.malformed).toMatchObject([{ declared: undefined, rule: "MQTT 3.1.1 §2.2.1" }]);
    expect(hexes()).toEqual([hex(b), hex(b), hex(b)]);
    expect(got.skipped).toBe(4);
  });

  it("reports a Remaining Length of five bytes, then resynchronises", () => {
    const b = packet(0x40, u16(5));
    const { f, got, hexes } = framer();
    f.push(concat([0x30, 0xff, 0xff, 0xff, 0xff, 0x01], b, b), 0);
    f.end(1);
    expect(got.malformed).toMatchObject([{ declared: "PUBLISH", rule: "MQTT 3.1.1 §2.2.3", reason: "the Remaining Length runs past four bytes" }]);
    expect(hexes()).toEqual([hex(b), hex(b)]);
  });

  it("uses the version to judge a boundary: a 3.1.1 PUBACK has exactly two bytes", () => {
    const ack5 = packet(0x40, u16(5), [0x10], NO_PROPS);
    const f4 = framer(4);
    f4.f.startMidStream();
    f4.f.push(concat(ack5, ack5), 0);
    f4.f.end(1);
    expect(f4.got.packets).toHaveLength(0);
    const f5 = framer(5);
    f5.f.startMidStream();
    f5.f.push(concat(ack5, ack5), 0);
    f5.f.end(1);
    expect(f5.got.packets).toHaveLength(2);
  });
});
