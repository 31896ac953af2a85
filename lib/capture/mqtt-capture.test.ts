import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { concat, hex, text } from "./fixtures/build";
import { MqttCapture, type MqttCaptureOptions } from "./mqtt-capture";
import { TYPE_CODES } from "./mqtt-rules";
import type { ConnectionSummary, MqttPacketEvent } from "./mqtt-types";
import { CaptureReader } from "./packets";
import type { Direction, TcpStreamEvent } from "./types";
import { readHttpHead, WebSocketReader } from "./websocket";

/**
 * The fixtures: MQTT sessions with a mosquitto 2.0.11 of our own (TCP on 28830, WebSocket on
 * 28831), captured on loopback; each `.tshark.txt` beside them is tshark 4.0.17's reading of
 * the same file, made by the command in fixtures/README.md. The tests do not need tshark.
 */
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const tsharkLines = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}.tshark.txt`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));

const OPTIONS: MqttCaptureOptions = { mqttPorts: [28830], webSocketPorts: [28831] };

function readCapture(file: Uint8Array, chunk = file.length, options = OPTIONS) {
  const capture = new MqttCapture(options);
  const packets: MqttPacketEvent[] = [];
  const connections: ConnectionSummary[] = [];
  const take = (o: { packets: MqttPacketEvent[]; connections: ConnectionSummary[] }) => {
    packets.push(...o.packets);
    connections.push(...o.connections);
  };
  for (let i = 0; i < file.length; i += chunk) take(capture.push(file.subarray(i, i + chunk)));
  take(capture.end());
  return { packets, connections, totals: capture.totals, open: capture.openConnections() };
}

/** Capture time to whole microseconds, as tshark prints frame.time_epoch. */
const micros = (ts: number) => Math.round(ts * 1000);
const tsharkMicros = (epoch: string) => {
  const [sec = "0", frac = ""] = epoch.split(".");
  return Number(sec) * 1e6 + Number(frac.padEnd(6, "0").slice(0, 6));
};

const PACKET_ID_TYPES = new Set([4, 5, 6, 7, 8, 9, 10, 11]);

/**
 * tshark's lines as one entry per packet. A line is a frame that completes MQTT packets, each
 * field listing its values for those packets in order: msgid only for packets that have one
 * (a PUBLISH only at QoS > 0), qos only for PUBLISH, topic for PUBLISH, SUBSCRIBE and
 * UNSUBSCRIBE (one filter each in these fixtures). They are dealt out to the packets in turn.
 */
function tsharkPackets(name: string) {
  const out: { frameMicros: number; key: string }[] = [];
  for (const [, epoch, types = "", ids = "", qos = "", topics = ""] of tsharkLines(name)) {
    const idList = ids.split(",").filter(Boolean);
    const qosList = qos.split(",").filter(Boolean);
    const topicList = topics.split(",").filter(Boolean);
    for (const t of types.split(",").map(Number)) {
      const q = t === 3 ? qosList.shift()! : "";
      const id = PACKET_ID_TYPES.has(t) || (t === 3 && q !== "0") ? idList.shift()! : "";
      const topic = t === 3 || t === 8 || t === 10 ? topicList.shift()! : "";
      out.push({ frameMicros: tsharkMicros(epoch!), key: [t, id, q, topic].join(" ") });
    }
  }
  return out;
}

/** The same four fields of one of our packets. */
function ourKey(p: MqttPacketEvent): string {
  const k = p.packet;
  if (k.type === "MALFORMED") return `MALFORMED ${k.rule}`;
  const id = "id" in k && k.id !== undefined ? String(k.id) : "";
  const qos = k.type === "PUBLISH" ? String(k.qos) : "";
  const topic = k.type === "PUBLISH" ? k.topic : k.type === "SUBSCRIBE" ? k.subscriptions.map((s) => s.filter).join(",") : k.type === "UNSUBSCRIBE" ? k.filters.join(",") : "";
  return [TYPE_CODES[k.type], id, qos, topic].join(" ");
}

/**
 * Our packets against tshark's, packet for packet in capture order (ours ordered by their time,
 * ties in the order given: a connection whose version is being inferred hands on its packets
 * late, but with their own times). Also counts the packets whose time is not that of the frame
 * tshark shows them in.
 */
function compareWithTshark(name: string, packets: MqttPacketEvent[]) {
  const theirs = tsharkPackets(name);
  const ours = packets.map((p, i) => ({ p, i })).sort((a, b) => a.p.ts - b.p.ts || a.i - b.i).map(({ p }) => p);
  const mismatches: string[] = [];
  const otherTimes: string[] = [];
  for (let k = 0; k < Math.max(theirs.length, ours.length); k++) {
    const t = theirs[k];
    const o = ours[k];
    const mine = o ? ourKey(o) : "(none)";
    if (!t || t.key !== mine) mismatches.push(`packet ${k + 1}: tshark ${t?.key ?? "(none)"}, ours ${mine}`);
    else if (micros(o!.ts) !== t.frameMicros) otherTimes.push(`packet ${k + 1} (${mine}): ours at ${micros(o!.ts)} µs, tshark's frame at ${t.frameMicros} µs`);
  }
  return { compared: theirs.length, mismatches, otherTimes };
}

const TSHARK_FIXTURES = [
  { name: "mqtt311", packets: 28, otherTimes: 0 },
  { name: "mqtt5", packets: 39, otherTimes: 0 },
  { name: "mqtt-midstream", packets: 19, otherTimes: 0 },
  // The first connection's fragmented message starts with a whole PUBACK: ours is timed by the
  // segment that completed its bytes (the first fragment, frame 17), tshark's by the one that
  // completed the WebSocket message (the last, frame 19).
  { name: "mqtt-ws", packets: 36, otherTimes: 1 },
  { name: "mqtt5-truncated", packets: 23, otherTimes: 0 },
];

describe("MqttCapture on real captures, against tshark", () => {
  it.each(TSHARK_FIXTURES)("$name: the same packets as tshark, packet for packet, each at its frame's time", ({ name, packets: count, otherTimes: expectedOther }) => {
    const { packets } = readCapture(fixture(`${name}.pcap`));
    const { compared, mismatches, otherTimes } = compareWithTshark(name, packets);
    expect(mismatches).toEqual([]);
    expect(otherTimes).toHaveLength(expectedOther);
    expect(compared).toBe(count);
    expect(packets).toHaveLength(count);
    expect(packets.filter((p) => p.packet.type === "MALFORMED")).toEqual([]);
  });

  it("mqtt-ws-split: the WebSocket messages' bytes are tshark's, unmasked, and their packets those of mqtt-ws", () => {
    // mqtt.js writes each packet in pieces, each a message of its own: tshark cannot join them
    // into MQTT, so the WebSocket payloads it unmasks are compared, and the packets decoded from
    // them with those of the same client script whose packets tshark could decode (mqtt-ws).
    const file = fixture("mqtt-ws-split.pcap");
    const theirs: Record<Direction, string> = { c2s: "", s2c: "" };
    for (const [, , port, opcode, payload] of tsharkLines("mqtt-ws-split")) {
      if (opcode === "2" || opcode === "0") theirs[port === "28831" ? "s2c" : "c2s"] += payload ?? "";
    }
    expect(unmaskedMessages(file)).toEqual(theirs);
    const split = readCapture(file).packets;
    const whole = readCapture(fixture("mqtt-ws.pcap")).packets;
    const flow = (ps: MqttPacketEvent[]) => ps.map((p) => `${p.conn.split(" ")[0]} ${p.dir} ${p.packet.type} ${"qos" in p.packet ? p.packet.qos : ""} ${"topic" in p.packet ? p.packet.topic : ""}`);
    // mqtt-ws's clients closed before their DISCONNECT went out; mqtt-ws-split's sent it.
    expect(flow(split).filter((l) => !l.includes("DISCONNECT"))).toEqual(flow(whole));
    expect(split.filter((p) => p.packet.type === "DISCONNECT")).toHaveLength(2);
    expect(split.every((p) => p.transport === "websocket")).toBe(true);
  });
});

/** Each direction's binary message bytes, by the WebSocket reader alone, after the HTTP heads. */
function unmaskedMessages(file: Uint8Array): Record<Direction, string> {
  const reader = new CaptureReader({ serverPorts: [28831] });
  const events: TcpStreamEvent[] = [...reader.push(file), ...reader.end()];
  const out: Record<Direction, string> = { c2s: "", s2c: "" };
  for (const id of new Set(events.map((e) => e.conn.id))) {
    for (const dir of ["c2s", "s2c"] as const) {
      const bytes = concat(...events.flatMap((e) => (e.kind === "data" && e.conn.id === id && e.dir === dir ? [e.bytes] : [])));
      const head = readHttpHead(bytes);
      if (typeof head === "string") throw new Error(head);
      const parts: Uint8Array[] = [];
      const ws = new WebSocketReader(dir === "c2s", { data: (b) => parts.push(b), gap: () => {}, frame: () => {}, problem: (m) => parts.push(text(`!${m}`)), skipped: () => {} });
      ws.push(bytes.subarray(head.length), 0);
      ws.end();
      out[dir] += hex(concat(...parts));
    }
  }
  return out;
}

describe("MqttCapture summaries and totals", () => {
  it("summarises the 3.1.1 session: client ids, will, user name, the password's length only", () => {
    const { connections, totals, packets } = readCapture(fixture("mqtt311.pcap"));
    expect(connections.map((c) => c.clientId).sort()).toEqual(["arm-01", "arm-01", "arm-01", "sub-mqttv311"]);
    const publisher = connections.find((c) => c.clientId === "arm-01" && c.packets.c2s.PUBREL)!;
    expect(publisher).toMatchObject({
      transport: "tcp",
      handshake: true,
      version: 4,
      versionInferred: false,
      protocolName: "MQTT",
      keepAlive: 60,
      cleanStart: true,
      will: { topic: "fleet/a/arm-01/status", qos: 1, retain: true },
      username: "arm-user",
      passwordLength: 9,
      connack: { code: 0, name: "Connection Accepted" },
      packets: { c2s: { CONNECT: 1, PUBLISH: 1, PUBREL: 1, DISCONNECT: 1 }, s2c: { CONNACK: 1, PUBREC: 1, PUBCOMP: 1 } },
      malformed: 0,
      skippedBytes: 0,
      problems: [],
    });
    expect(totals).toMatchObject({
      frames: 65,
      connections: 4,
      otherConnections: 0,
      mqttPackets: 28,
      byType: { CONNECT: 4, CONNACK: 4, SUBSCRIBE: 1, SUBACK: 1, PUBLISH: 6, PUBACK: 2, PUBREC: 2, PUBREL: 2, PUBCOMP: 2, DISCONNECT: 4 },
      malformed: 0,
      tcpGaps: 0,
      retransmissions: 0,
      problems: [],
    });
    // The password (s3cret-pw) is nowhere in what the capture gives.
    const password = hex(text("s3cret-pw"));
    for (const p of packets) {
      const kept = [..."payload" in p.packet ? [p.packet.payload] : [], ...(p.packet.type === "CONNECT" && p.packet.will ? [p.packet.will.payload] : [])];
      for (const bytes of kept) expect(hex(bytes)).not.toContain(password);
    }
    expect(JSON.stringify({ connections, packets })).not.toContain("s3cret");
  });

  it("reads the MQTT 5 session's properties and reason codes", () => {
    const { packets, connections } = readCapture(fixture("mqtt5.pcap"));
    const sub = connections.find((c) => c.clientId === "sub-5")!;
    expect(sub).toMatchObject({ version: 5, versionInferred: false, packets: { c2s: { SUBSCRIBE: 1, UNSUBSCRIBE: 1 }, s2c: { SUBACK: 1, UNSUBACK: 1, PUBLISH: 4 } } });
    const delivered = packets.filter((p) => p.packet.type === "PUBLISH" && p.dir === "s2c").map((p) => p.packet);
    expect(delivered[0]).toMatchObject({ properties: [{ name: "Subscription Identifier", value: 7 }, { name: "User Property", value: ["a", "b"] }, { name: "Content Type", value: "application/json" }] });
    const connect = packets.find((p) => p.packet.type === "CONNECT" && p.packet.will)!.packet;
    expect(connect).toMatchObject({ protocolLevel: 5, passwordLength: 9, will: { topic: "fleet/a/arm-01/status", properties: [{ name: "Will Delay Interval", value: 5 }, { name: "User Property", value: ["w", "x"] }] } });
    expect(packets.find((p) => p.packet.type === "SUBACK")!.packet).toMatchObject({ reasons: [{ code: 2, name: "Granted QoS 2" }] });
    expect(packets.find((p) => p.packet.type === "UNSUBACK")!.packet).toMatchObject({ reasons: [{ code: 0x11, name: "No subscription existed" }] });
    expect(packets.filter((p) => p.packet.type === "PUBLISH" && p.packet.topicAlias === 3)).toHaveLength(2);
  });

  it("infers the versions of connections caught mid-stream, and says what told them", () => {
    const { connections } = readCapture(fixture("mqtt-midstream.pcap"));
    expect(connections.map((c) => [c.client.port, c.handshake, c.version, c.versionInferred, c.versionEvidence]).sort()).toEqual([
      [32830, false, 4, true, "a PUBLISH MQTT 5 does not allow (as 5: the property length 123 runs past the packet's end (8 bytes left))"],
      [32840, false, 5, true, "a PUBLISH whose MQTT 5 properties parse (User Property)"],
      [32844, false, 5, true, "a PUBLISH whose MQTT 5 properties parse (User Property)"],
    ]);
    expect(connections.every((c) => c.clientId === undefined && c.gaps === 2 && c.skippedBytes === 0 && c.problems.length === 0)).toBe(true);
  });

  it("summarises the WebSocket connections: path, subprotocol, frames, the fragmented message and its ping", () => {
    const { connections } = readCapture(fixture("mqtt-ws.pcap"));
    // Frames per connection and direction as tshark counts them:
    // tshark -r mqtt-ws.pcap -d tcp.port==28831,http -Y websocket -T fields -e tcp.stream -e tcp.dstport
    expect(connections.map((c) => [c.clientId, c.version, c.transport, c.webSocket])).toEqual([
      ["ws-whole-4", 4, "websocket", { path: "/", subprotocol: "mqtt", frames: { c2s: 11, s2c: 11 }, controlFrames: { ping: 1, pong: 1, close: 2 } }],
      ["ws-whole-5", 5, "websocket", { path: "/", subprotocol: "mqtt", frames: { c2s: 12, s2c: 11 }, controlFrames: { ping: 1, pong: 1, close: 2 } }],
    ]);
  });

  it("reads a file cut in the middle of a frame: the packets before it, the cut reported", () => {
    const { totals, connections, open } = readCapture(fixture("mqtt5-truncated.pcap"));
    expect(totals.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^truncated last record/)]);
    expect(connections.map((c) => c.id).sort()).toEqual([1, 2, 3, 4]);
    expect(open).toEqual([]);
  });

  it("gives the same output whatever the chunking, one byte at a time included", () => {
    for (const name of ["mqtt311", "mqtt5", "mqtt-midstream", "mqtt-ws", "mqtt-ws-split", "mqtt5-truncated"]) {
      const file = fixture(`${name}.pcap`);
      const whole = readCapture(file);
      for (const chunk of [1, 7, 1000]) expect(readCapture(file, chunk)).toEqual(whole);
    }
  });

  it("keeps no state for a connection once it has closed", () => {
    const file = fixture("mqtt311.pcap");
    const capture = new MqttCapture(OPTIONS);
    // The first three connections are over by two thirds of the file; the subscriber's is not.
    capture.push(file.subarray(0, Math.floor(file.length * 0.66)));
    expect(capture.openConnections().map((c) => c.clientId)).toEqual(["sub-mqttv311"]);
    capture.push(file.subarray(Math.floor(file.length * 0.66)));
    capture.end();
    expect(capture.openConnections()).toEqual([]);
  });
});

describe("MqttCapture on damaged input", () => {
  function random(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("never throws with random bytes changed in the real captures", () => {
    const next = random(3);
    for (const name of ["mqtt311", "mqtt5", "mqtt-midstream", "mqtt-ws", "mqtt-ws-split"]) {
      const original = fixture(`${name}.pcap`);
      for (let run = 0; run < 40; run++) {
        const damaged = original.slice();
        // Past the file header, so the damage reaches TCP and MQTT rather than stopping the file.
        for (let k = 0; k < 1 + (run % 10); k++) damaged[24 + Math.floor(next() * (damaged.length - 24))] = Math.floor(next() * 256);
        expect(() => readCapture(damaged, 1 + Math.floor(next() * 2000))).not.toThrow();
      }
    }
  });

  it.each(["mqtt-midstream", "mqtt5", "mqtt-ws"])("never throws when %s ends at any byte, and never gives more packets than the whole file", (name) => {
    const original = fixture(`${name}.pcap`);
    const all = readCapture(original).packets.length;
    for (let cut = 0; cut < original.length; cut++) {
      const { packets } = readCapture(original.subarray(0, cut));
      expect(packets.length).toBeLessThanOrEqual(all);
    }
  });
});
