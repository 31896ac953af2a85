import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MqttFramer } from "../mqtt/framer";
import { concat, ethernet, hex, ipv4, pcapFile, TCP, tcp, text } from "./fixtures/build";
import { CaptureReader, type CaptureReaderOptions } from "./packets";
import type { Direction, TcpStreamEvent } from "./types";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function readCapture(file: Uint8Array, chunk = file.length, options: CaptureReaderOptions = { serverPorts: [18830] }) {
  const reader = new CaptureReader(options);
  const events: TcpStreamEvent[] = [];
  for (let i = 0; i < file.length; i += chunk) events.push(...reader.push(file.subarray(i, i + chunk)));
  events.push(...reader.end());
  return { events, counters: reader.counters };
}

function streamBytes(events: TcpStreamEvent[], dir: Direction): Uint8Array {
  return concat(...events.flatMap((e) => (e.kind === "data" && e.dir === dir ? [e.bytes] : [])));
}

/**
 * The fixtures: MQTT sessions (mosquitto_pub to a mosquitto of our own on port 18830) captured on
 * this project's dev machine, see fixtures/README.md. Frame counts were measured with tshark 4.0.17,
 * `tshark -r F -T fields -e frame.number | wc -l`; endpoints and stream bytes with
 * `tshark -r F -q -z follow,tcp,raw,0`. The tests do not need tshark.
 */
const CONNECT = "101200044d5154540402003c000661726d2d3031";
const PUBLISH = (seq: string, qos: 0 | 1 | 2, id = 1) =>
  `3${qos * 2}${(24 + 2 + 9 + seq.length - 1 + (qos ? 2 : 0)).toString(16)}0018${hex(text("fleet/a/arm-01/telemetry"))}${qos ? id.toString(16).padStart(4, "0") : ""}${hex(text(`{"seq":${seq}}`))}`;
const DISCONNECT = "e000";
const FIXTURES = [
  { file: "lo-ethernet.pcap", frames: 17, client: 57066, family: 4, c2s: CONNECT + PUBLISH("1", 1, 1) + PUBLISH("1", 1, 2) + PUBLISH("1", 1, 3) + DISCONNECT, s2c: "20020000400200014002000240020003" },
  { file: "lo-nano.pcap", frames: 15, client: 58164, family: 4, c2s: CONNECT + PUBLISH("2", 2) + "62020001" + DISCONNECT, s2c: "200200005002000170020001" },
  { file: "any-sll2.pcap", frames: 13, client: 58174, family: 4, c2s: CONNECT + PUBLISH("3", 1) + DISCONNECT, s2c: "2002000040020001" },
  { file: "any-sll.pcap", frames: 11, client: 58178, family: 4, c2s: CONNECT + PUBLISH("4", 0) + DISCONNECT, s2c: "20020000" },
  { file: "lo.pcapng", frames: 13, client: 58180, family: 4, c2s: CONNECT + PUBLISH("5", 1) + DISCONNECT, s2c: "2002000040020001" },
  { file: "lo-ipv6.pcap", frames: 13, client: 40198, family: 6, c2s: CONNECT + PUBLISH("6", 1) + DISCONNECT, s2c: "2002000040020001" },
  { file: "two-interfaces.pcapng", frames: 26, client: 58184, family: 4, c2s: CONNECT + PUBLISH("10", 1) + DISCONNECT, s2c: "2002000040020001" },
];

describe("CaptureReader on real captures", () => {
  it.each(FIXTURES)("reads $file: as many frames as tshark, the client's bytes from its CONNECT on", ({ file, frames, client, family, c2s, s2c }) => {
    const { events, counters } = readCapture(fixture(file), 512);
    expect(counters).toMatchObject({ frames, nonTcp: 0, tcpGaps: 0, problems: [], fileBytes: fixture(file).length });
    const toServer = streamBytes(events, "c2s");
    expect(toServer[0]).toBe(0x10);
    expect(hex(toServer)).toBe(c2s);
    expect(hex(streamBytes(events, "s2c"))).toBe(s2c);
    const address = family === 4 ? "127.0.0.1" : "::1";
    expect(events[0]).toMatchObject({ kind: "open", conn: { client: { address, port: client }, server: { address, port: 18830 }, handshake: true } });
    expect(events.at(-1)).toMatchObject({ kind: "close", reason: "fin" });
  });

  it("reads the client's MQTT packets from a real capture as the framer sees them", () => {
    const { events } = readCapture(fixture("lo-nano.pcap"));
    const packets = new MqttFramer().push(streamBytes(events, "c2s"));
    expect(packets.map((p) => `${p.type}${p.id ?? ""}`)).toEqual(["connect", "publish1", "pubrel1", "disconnect"]);
    expect(packets[0]).toMatchObject({ clientId: "arm-01" });
  });

  it("counts the second interface's copies of each segment as retransmissions, passing each byte on once", () => {
    // Frames 1–8 on lo, 9–21 on any (all of them again), 22–26 on lo again: the data segments
    // repeated are frames 12, 14 and 16, and 22 and 23 after the connection closed.
    expect(readCapture(fixture("two-interfaces.pcapng")).counters.retransmissions).toBe(5);
  });

  it("reads a capture that started mid-connection: a gap of unknown size first, the client told by its port", () => {
    // tshark: 9 frames; 127.0.0.1:45002 is the client, it sent PUBLISHes 8 and 9.
    const { events, counters } = readCapture(fixture("lo-midstream.pcap"));
    expect(counters).toMatchObject({ frames: 9, tcpGaps: 2, problems: [] });
    expect(events.slice(0, 2)).toMatchObject([
      { kind: "open", conn: { client: { port: 45002 }, server: { port: 18830 }, handshake: false } },
      { kind: "gap", dir: "c2s", bytes: undefined, reason: "capture-start" },
    ]);
    expect(hex(streamBytes(events, "c2s"))).toBe(PUBLISH("8", 1, 2) + PUBLISH("9", 1, 3) + DISCONNECT);
    expect(hex(streamBytes(events, "s2c"))).toBe("4002000240020003");
  });

  it("gives the same events whatever the chunking, one byte at a time included", () => {
    for (const { file } of FIXTURES) {
      const whole = readCapture(fixture(file));
      expect(readCapture(fixture(file), 1)).toEqual(whole);
    }
  });
});

describe("CaptureReader counters and problems", () => {
  const frame = (payload: Uint8Array, o: Partial<Parameters<typeof ipv4>[0]> = {}) => ethernet(0x0800, ipv4({ payload, ...o }));
  const segment = tcp({ seq: 1, flags: TCP.SYN });

  it("counts frames, bytes, and frames with no TCP in them", () => {
    const frames = [frame(segment), ethernet(0x0806, new Uint8Array(28)), frame(new Uint8Array(8), { protocol: 17 })];
    const file = pcapFile({ records: frames.map((data, i) => ({ sec: i, frac: 0, data })) });
    const { counters, events } = readCapture(file);
    expect(counters).toMatchObject({ frames: 3, bytes: frames.reduce((n, f) => n + f.length, 0), nonTcp: 2, problems: [] });
    expect(events.map((e) => e.kind)).toEqual(["open", "close"]);
  });

  it("counts IP fragments and reassembles the segment they carry", () => {
    const whole = tcp({ seq: 1, flags: TCP.SYN, payload: text("fragmented CONNECT") });
    const parts = [ipv4({ id: 9, more: true, payload: whole.subarray(0, 16) }), ipv4({ id: 9, offset: 16, payload: whole.subarray(16) })];
    const file = pcapFile({ linkType: 228, records: parts.reverse().map((data) => ({ sec: 0, frac: 0, data })) });
    const { counters, events } = readCapture(file);
    expect(counters).toMatchObject({ frames: 2, ipFragments: 2, ipFragmentsDropped: 0, nonTcp: 0 });
    expect(new TextDecoder().decode(streamBytes(events, "c2s"))).toBe("fragmented CONNECT");
  });

  it("reports an unsupported link type once, and malformed frames where they are in the file", () => {
    const records = [1, 2, 3].map((sec) => ({ sec, frac: 0, data: new Uint8Array(30) }));
    expect(readCapture(pcapFile({ linkType: 127, records })).counters).toMatchObject({
      nonTcp: 3,
      problems: [{ offset: 24, message: "link type 127 is not supported: its frames are skipped" }],
    });
    const cut = pcapFile({ records: [{ sec: 0, frac: 0, data: frame(segment).subarray(0, 40) }, { sec: 0, frac: 0, data: frame(new Uint8Array(8)) }] });
    const { counters } = readCapture(cut);
    expect(counters.problems.map((p) => p.offset)).toEqual([24, 24 + 16 + 40]);
    expect(counters.problems.map((p) => p.message)).toEqual([expect.stringMatching(/cut at the snapshot length/), "TCP header cut short"]);
  });

  it("keeps at most 100 problems and counts the rest", () => {
    const records = Array.from({ length: 150 }, () => ({ sec: 0, frac: 0, data: new Uint8Array(5) }));
    const { counters } = readCapture(pcapFile({ records }));
    expect(counters.problems).toHaveLength(100);
    expect(counters.problemsOmitted).toBe(50);
  });

  it("keeps the events before damage in the file, and reports the damage", () => {
    const file = fixture("lo-ethernet.pcap");
    const cut = file.subarray(0, 900);
    const { events, counters } = readCapture(cut);
    expect(counters.problems.at(-1)!.message).toMatch(/^truncated last record/);
    expect(streamBytes(events, "c2s")[0]).toBe(0x10);
    expect(events.at(-1)).toMatchObject({ kind: "close", reason: "capture-end" });
  });
});

describe("CaptureReader on damaged input", () => {
  /** A small deterministic generator, so a failure can be replayed. */
  function random(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("never throws on random bytes, behind a valid header or not", () => {
    const next = random(1);
    const header = fixture("lo-ethernet.pcap").subarray(0, 24);
    const ngHeader = fixture("lo.pcapng").subarray(0, 200);
    for (let run = 0; run < 300; run++) {
      const noise = Uint8Array.from({ length: Math.floor(next() * 600) }, () => Math.floor(next() * 256));
      const prefix = [new Uint8Array(0), header, ngHeader][run % 3]!;
      expect(() => readCapture(concat(prefix, noise), 1 + Math.floor(next() * 64))).not.toThrow();
    }
  });

  it("never throws with random bytes changed in real captures, and always reaches the end", () => {
    const next = random(2);
    for (const { file } of FIXTURES) {
      const original = fixture(file);
      for (let run = 0; run < 60; run++) {
        const damaged = original.slice();
        for (let k = 0; k < 1 + run % 8; k++) damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256);
        expect(() => readCapture(damaged, 1 + Math.floor(next() * 300))).not.toThrow();
      }
    }
  });

  /** Where each record or block of a (little-endian) fixture ends, walked by its length fields. */
  function boundaries(file: Uint8Array): number[] {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const ng = view.getUint32(0, true) === 0x0a0d0d0a;
    const ends: number[] = [];
    for (let at = ng ? 0 : 24; at < file.length; ends.push(at)) at += ng ? view.getUint32(at + 4, true) : 16 + view.getUint32(at + 8, true);
    return ng ? ends : [24, ...ends];
  }

  it.each(FIXTURES.map((f) => f.file).concat("lo-midstream.pcap"))("never throws when %s ends at any byte, and says so unless it ends between records", (file) => {
    const original = fixture(file);
    const full = readCapture(original).counters.frames;
    const clean: number[] = [];
    for (let cut = 0; cut < original.length; cut++) {
      const { counters } = readCapture(original.subarray(0, cut));
      expect(counters.frames).toBeLessThanOrEqual(full);
      if (!counters.problems.some((p) => /^truncated|empty/.test(p.message))) clean.push(cut);
    }
    expect(clean).toEqual(boundaries(original).filter((end) => end < original.length));
  });
});
