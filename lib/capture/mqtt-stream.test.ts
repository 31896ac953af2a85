import { describe, expect, it } from "vitest";
import { concat, text } from "./fixtures/build";
import { connect, packet, props, publish, str, u16, UPGRADE_REQUEST, UPGRADE_RESPONSE, wsFrame } from "./fixtures/mqtt-build";
import { MAX_UNDECIDED_PACKETS, MqttStreamDecoder, type MqttStreamOptions, type MqttStreamOutput } from "./mqtt-stream";
import type { Direction, TcpConnection, TcpStreamEvent } from "./types";

const conn = (id: number, serverPort = 1883, handshake = true): TcpConnection => ({
  id,
  client: { address: "10.0.0.1", port: 50_000 + id },
  server: { address: "10.0.0.2", port: serverPort },
  handshake,
});
const open = (c: TcpConnection): TcpStreamEvent => ({ kind: "open", conn: c, ts: 0 });
const data = (c: TcpConnection, dir: Direction, bytes: Uint8Array, ts = 1): TcpStreamEvent => ({ kind: "data", conn: c, dir, ts, bytes });
const gap = (c: TcpConnection, dir: Direction, ts = 1): TcpStreamEvent => ({ kind: "gap", conn: c, dir, ts, bytes: undefined, reason: "capture-start" });
const lost = (c: TcpConnection, dir: Direction, bytes: number, ts = 1): TcpStreamEvent => ({ kind: "gap", conn: c, dir, ts, bytes, reason: "lost" });
const close = (c: TcpConnection, ts = 9): TcpStreamEvent => ({ kind: "close", conn: c, ts, reason: "fin" });

function run(events: TcpStreamEvent[], options: MqttStreamOptions = {}) {
  const decoder = new MqttStreamDecoder(options);
  const out: MqttStreamOutput = { packets: [], connections: [] };
  for (const e of events) decoder.handle(e, out);
  return { out, decoder, types: out.packets.map((p) => `${p.dir} ${p.packet.type}`), summary: out.connections[0] };
}

/** Every data event's bytes split into one-byte events, to show chunking does not matter. */
function byteByByte(events: TcpStreamEvent[]): TcpStreamEvent[] {
  return events.flatMap<TcpStreamEvent>((e) => (e.kind === "data" ? Array.from(e.bytes, (b) => ({ ...e, bytes: Uint8Array.of(b) })) : [e]));
}

const MASK = [9, 8, 7, 6];

describe("MqttStreamDecoder: versions", () => {
  it("takes the version from the CONNECT, for both directions", () => {
    const c = conn(1);
    const connack5 = packet(0x20, [0, 0], props([0x22, u16(10)]));
    const { out, summary } = run([open(c), data(c, "c2s", connect({ level: 5, clientId: "arm-05" })), data(c, "s2c", connack5), data(c, "s2c", packet(0x40, u16(1), [0x10])), close(c)]);
    expect(out.packets.map((p) => p.packet)).toMatchObject([{ type: "CONNECT" }, { type: "CONNACK", properties: [{ name: "Topic Alias Maximum", value: 10 }] }, { type: "PUBACK", reason: { name: "No matching subscribers" } }]);
    expect(summary).toMatchObject({ version: 5, versionInferred: false, versionEvidence: "the CONNECT (protocol level 5)", clientId: "arm-05", connack: { name: "Success" } });
  });

  it("infers MQTT 5 mid-stream from a packet only 5 allows, holding the packets before it", () => {
    const c = conn(2, 1883, false);
    const ping = Uint8Array.of(0xc0, 0);
    const pong = Uint8Array.of(0xd0, 0);
    const ack5 = packet(0x40, u16(3), [0x10]);
    const { out, summary } = run([open(c), gap(c, "c2s"), gap(c, "s2c"), data(c, "c2s", concat(ping, ping), 2), data(c, "s2c", concat(pong, ack5, pong), 3), close(c)]);
    // The first boundary is confirmed by the header after it, the last s2c one by the end of the stream.
    expect(out.packets.map((p) => `${p.dir} ${p.packet.type} ${p.ts}`)).toEqual(["c2s PINGREQ 2", "c2s PINGREQ 2", "s2c PINGRESP 3", "s2c PUBACK 3", "s2c PINGRESP 3"]);
    expect(out.packets[3]!.packet).toMatchObject({ reason: { code: 0x10 } });
    expect(summary).toMatchObject({ version: 5, versionInferred: true, versionEvidence: expect.stringMatching(/^a PUBACK only MQTT 5 allows/) });
  });

  it("joined mid-stream, hands on both directions in capture order though each framer confirms its first packet late", () => {
    const c = conn(40, 1883, false);
    const ack = (id: number) => packet(0x40, u16(id));
    const pub = (id: number) => publish({ qos: 1, id, payload: text(`{"seq":${id}}`) });
    // Each framer takes its first packet only once the next header confirms it: the client's
    // PUBLISH 2 waits for PUBLISH 3, while the PUBACK that answered it was already confirmed.
    const events = [open(c), gap(c, "s2c"), data(c, "s2c", ack(1), 1), gap(c, "c2s"), data(c, "c2s", pub(2), 2), data(c, "s2c", ack(2), 3), data(c, "c2s", pub(3), 4), data(c, "s2c", ack(3), 5), close(c)];
    const { out } = run(events);
    expect(out.packets.map((p) => `${p.dir} ${p.packet.type} ${p.ts}`)).toEqual(["s2c PUBACK 1", "c2s PUBLISH 2", "s2c PUBACK 3", "c2s PUBLISH 4", "s2c PUBACK 5"]);
  });

  it("infers MQTT 5 from properties that parse, and 3.1.1 from properties that cannot", () => {
    const c5 = conn(3, 1883, false);
    const five = run([open(c5), gap(c5, "c2s"), data(c5, "c2s", publish({ v5: true, qos: 1, properties: props([0x26, concat(str("site"), str("north"))]) })), close(c5)]);
    expect(five.summary).toMatchObject({ version: 5, versionInferred: true, versionEvidence: "a PUBLISH whose MQTT 5 properties parse (User Property)" });
    expect(five.out.packets[0]!.packet).toMatchObject({ properties: [{ value: ["site", "north"] }] });
    const c4 = conn(4, 1883, false);
    const four = run([open(c4), gap(c4, "c2s"), data(c4, "c2s", publish({ qos: 1, payload: text('{"seq":8}') })), close(c4)]);
    expect(four.summary).toMatchObject({ version: 4, versionInferred: true });
    expect(four.out.packets[0]!.packet).toMatchObject({ type: "PUBLISH", payloadLength: 9 });
  });

  it("decides on what leans when nothing tells the versions apart, and says so", () => {
    const c = conn(5, 1883, false);
    const pings = Array.from({ length: 3 }, () => data(c, "c2s", Uint8Array.of(0xc0, 0)));
    const { summary } = run([open(c), gap(c, "c2s"), ...pings, close(c)]);
    expect(summary).toMatchObject({ version: 4, versionInferred: true, versionEvidence: "the connection ended before any packet told 3.1.1 and 5 apart" });
    // A PUBLISH whose MQTT 5 reading has no properties reads as 3.1.1 with a payload starting 0x00: it leans to 5.
    const d = conn(6, 1883, false);
    const leaning = run([open(d), gap(d, "c2s"), data(d, "c2s", publish({ v5: true })), close(d)]);
    expect(leaning.summary).toMatchObject({ version: 5, versionInferred: true });
    expect(leaning.out.packets[0]!.packet).toMatchObject({ payloadLength: 9 });
  });

  it(`holds at most ${MAX_UNDECIDED_PACKETS} packets before deciding`, () => {
    const c = conn(7, 1883, false);
    const pings = Array.from({ length: MAX_UNDECIDED_PACKETS + 5 }, () => data(c, "c2s", Uint8Array.of(0xc0, 0)));
    const decoder = new MqttStreamDecoder();
    const out: MqttStreamOutput = { packets: [], connections: [] };
    for (const e of [open(c), gap(c, "c2s"), ...pings]) decoder.handle(e, out);
    expect(out.packets).toHaveLength(MAX_UNDECIDED_PACKETS + 5);
    expect(decoder.openConnections()[0]).toMatchObject({ version: 4, versionEvidence: `${MAX_UNDECIDED_PACKETS} packets allowed by both 3.1.1 and 5` });
  });
});

describe("MqttStreamDecoder: connections", () => {
  it("summarises a connection: its CONNECT, will, user name and password length, packets by type", () => {
    const c = conn(8);
    const bytes = connect({ clientId: "arm-01", keepAlive: 15, flags: 0, will: { topic: "fleet/a/status", payload: text("offline"), qos: 1, retain: true }, username: "arm-user", password: text("s3cret-pw") });
    const { summary, out } = run([open(c), data(c, "c2s", bytes), data(c, "s2c", Uint8Array.of(0x20, 2, 0, 0)), data(c, "c2s", concat(publish({ qos: 1 }), publish({ qos: 1, id: 2 }))), data(c, "s2c", concat(packet(0x40, u16(1)), packet(0x40, u16(2)))), close(c)]);
    expect(summary).toMatchObject({
      conn: "8 10.0.0.1:50008 > 10.0.0.2:1883",
      transport: "tcp",
      version: 4,
      clientId: "arm-01",
      keepAlive: 15,
      cleanStart: false,
      will: { topic: "fleet/a/status", qos: 1, retain: true },
      username: "arm-user",
      passwordLength: 9,
      packets: { c2s: { CONNECT: 1, PUBLISH: 2 }, s2c: { CONNACK: 1, PUBACK: 2 } },
      malformed: 0,
      problems: [],
    });
    const everything = JSON.stringify({ summary, packets: out.packets.map((p) => ({ ...p.packet, payload: Array.from("payload" in p.packet ? p.packet.payload : []) })) });
    expect(everything).not.toContain("s3cret");
  });

  it("treats a CONNECT on any port as MQTT, and other bytes on other ports as not", () => {
    const a = conn(9, 5000);
    const b = conn(10, 80);
    const { out, decoder } = run([open(a), open(b), data(a, "c2s", connect({})), data(b, "c2s", text("GET / HTTP/1.1\r\nHost: x\r\n\r\n")), data(b, "s2c", text("HTTP/1.1 200 OK\r\n\r\n")), close(a), close(b)]);
    expect(out.connections.map((s) => s.id)).toEqual([9]);
    expect(out.packets.map((p) => p.packet.type)).toEqual(["CONNECT"]);
    expect([decoder.mqttConnections, decoder.otherConnections]).toEqual([1, 1]);
  });

  it("waits for the CONNECT's first bytes however they are split", () => {
    const c = conn(11, 5000);
    const { types } = run(byteByByte([open(c), data(c, "c2s", connect({})), data(c, "s2c", Uint8Array.of(0x20, 2, 0, 0)), close(c)]));
    expect(types).toEqual(["c2s CONNECT", "s2c CONNACK"]);
  });

  it("says when the client's first packet is not a CONNECT", () => {
    const c = conn(12);
    const { summary } = run([open(c), data(c, "c2s", publish({})), close(c)]);
    expect(summary!.problems).toEqual(["the client's first packet is not a CONNECT [MQTT-3.1.0-1]"]);
  });

  it("resolves an MQTT 5 topic alias, per direction", () => {
    const c = conn(13);
    const withTopic = publish({ v5: true, topic: "fleet/a/t", properties: props([0x23, u16(1)]) });
    const aliasOnly = publish({ v5: true, topic: "", properties: props([0x23, u16(1)]) });
    const { out } = run([open(c), data(c, "c2s", connect({ level: 5 })), data(c, "c2s", withTopic), data(c, "c2s", aliasOnly), data(c, "s2c", aliasOnly), close(c)]);
    expect(out.packets.slice(1).map((p) => p.packet)).toMatchObject([
      { topic: "fleet/a/t", topicAlias: 1 },
      { topic: "fleet/a/t", topicAlias: 1, topicFromAlias: true },
      { topic: "", topicAlias: 1 },
    ]);
  });

  it("after a gap mid-packet, reports the cut packet and counts the bytes skipped to the next", () => {
    const c = conn(14);
    const p = publish({ qos: 1, id: 4, payload: text('{"seq":4,"temp":21.5}') });
    const { out, summary } = run([open(c), data(c, "c2s", connect({})), data(c, "c2s", p.subarray(0, 20)), lost(c, "c2s", 10), data(c, "c2s", concat(p.subarray(30), publish({ qos: 1, id: 5 }), Uint8Array.of(0xc0, 0))), close(c)]);
    expect(out.packets.map((x) => x.packet)).toMatchObject([{ type: "CONNECT" }, { type: "MALFORMED", declared: "PUBLISH", error: "truncated" }, { type: "PUBLISH", id: 5 }, { type: "PINGREQ" }]);
    expect(summary).toMatchObject({ truncated: 1, malformed: 0, skippedBytes: p.length - 30, gaps: 1 });
  });
});

describe("MqttStreamDecoder: WebSocket", () => {
  const c2sPackets = [connect({ clientId: "ws-1" }), publish({ qos: 1, id: 1 }), Uint8Array.of(0xc0, 0)];
  const s2cPackets = [Uint8Array.of(0x20, 2, 0, 0), packet(0x40, u16(1)), Uint8Array.of(0xd0, 0)];

  function wsEvents(c: TcpConnection): TcpStreamEvent[] {
    const [connectBytes, pub, ping] = c2sPackets;
    // The CONNECT split over two messages, the PUBLISH a fragmented message with a ping between fragments.
    const client = concat(
      wsFrame({ opcode: 2, payload: connectBytes!.subarray(0, 1), mask: MASK }),
      wsFrame({ opcode: 2, payload: connectBytes!.subarray(1), mask: MASK }),
      wsFrame({ opcode: 2, payload: pub!.subarray(0, 10), fin: false, mask: MASK }),
      wsFrame({ opcode: 9, payload: text("hi"), mask: MASK }),
      wsFrame({ opcode: 0, payload: pub!.subarray(10), mask: MASK }),
      wsFrame({ opcode: 2, payload: ping!, mask: MASK }),
      wsFrame({ opcode: 8, payload: [0x03, 0xe8], mask: MASK }),
    );
    const server = concat(wsFrame({ opcode: 2, payload: concat(...s2cPackets) }), wsFrame({ opcode: 10, payload: text("hi") }), wsFrame({ opcode: 8, payload: [0x03, 0xe8] }));
    return [open(c), data(c, "c2s", UPGRADE_REQUEST), data(c, "s2c", concat(UPGRADE_RESPONSE, server.subarray(0, 3))), data(c, "c2s", client), data(c, "s2c", server.subarray(3)), close(c)];
  }

  it("decodes MQTT in binary messages after the upgrade, in any chunking", () => {
    for (const events of [wsEvents(conn(20, 8083)), byteByByte(wsEvents(conn(20, 8083)))]) {
      const { out, summary } = run(events);
      expect(out.packets.map((p) => `${p.transport} ${p.dir} ${p.packet.type}`)).toEqual([
        "websocket c2s CONNECT",
        "websocket c2s PUBLISH",
        "websocket c2s PINGREQ",
        "websocket s2c CONNACK",
        "websocket s2c PUBACK",
        "websocket s2c PINGRESP",
      ]);
      expect(summary).toMatchObject({
        transport: "websocket",
        clientId: "ws-1",
        webSocket: { path: "/mqtt", subprotocol: "mqtt", frames: { c2s: 7, s2c: 3 }, controlFrames: { ping: 1, pong: 1, close: 2 } },
        problems: [],
      });
    }
  });

  it("takes an upgrade naming the mqtt subprotocol on any port", () => {
    const { types } = run(wsEvents(conn(21, 12345)));
    expect(types[0]).toBe("c2s CONNECT");
  });

  it("reports a refused upgrade", () => {
    const c = conn(22, 8083);
    const { summary, out } = run([open(c), data(c, "c2s", UPGRADE_REQUEST), data(c, "s2c", text("HTTP/1.1 403 Forbidden\r\n\r\n")), close(c)]);
    expect(out.packets).toEqual([]);
    expect(summary!.problems).toEqual(["the upgrade was refused: HTTP/1.1 403 Forbidden"]);
  });

  it("joins a WebSocket connection mid-stream on its port", () => {
    const c = conn(23, 9001, false);
    const frame = wsFrame({ opcode: 2, payload: packet(0x40, u16(1)), mask: MASK });
    const { types, summary } = run([open(c), gap(c, "c2s"), data(c, "c2s", concat(frame.subarray(4), frame, frame)), close(c)]);
    expect(types).toEqual(["c2s PUBACK", "c2s PUBACK"]);
    expect(summary).toMatchObject({ transport: "websocket", skippedBytes: frame.length - 4, versionInferred: true });
  });
});

describe("MqttStreamDecoder: TLS", () => {
  const record = (type: number, length: number) => concat([type, 3, 3, length >> 8, length & 0xff], new Uint8Array(length));

  it("counts a TLS connection's records and bytes per direction and decodes nothing", () => {
    const c = conn(30, 8883);
    const hello = concat([0x16, 3, 1, 0, 4], [1, 0, 0, 0]);
    const { out, summary } = run([open(c), data(c, "c2s", hello), data(c, "s2c", concat(record(22, 90), record(20, 1))), data(c, "c2s", record(23, 300).subarray(0, 100)), data(c, "c2s", record(23, 300).subarray(100)), close(c)]);
    expect(out.packets).toEqual([]);
    expect(summary).toMatchObject({ transport: "tls", tls: { records: { c2s: 2, s2c: 2 }, bytes: { c2s: 9 + 305, s2c: 95 + 6 } } });
  });

  it("knows TLS by its first bytes on a port that is not a TLS one", () => {
    const c = conn(31, 1883);
    const { summary } = run([open(c), data(c, "c2s", concat([0x16, 3, 1, 0, 1], [1])), close(c)]);
    expect(summary).toMatchObject({ transport: "tls", tls: { records: { c2s: 1, s2c: 0 } } });
  });

  it("finds record boundaries again after a gap", () => {
    const c = conn(32, 8883, false);
    const { summary } = run([open(c), gap(c, "s2c"), data(c, "s2c", concat(new Uint8Array(7).fill(0x99), record(23, 40), record(23, 40))), close(c)]);
    expect(summary!.tls).toEqual({ records: { c2s: 0, s2c: 2 }, bytes: { c2s: 0, s2c: 7 + 90 } });
  });
});


describe("MqttStreamDecoder on damaged streams", () => {
  function random(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("never throws, and never invents more packets than bytes, on random streams with gaps, in every mode", () => {
    const next = random(11);
    const starts = [connect({}), connect({ level: 5 }), UPGRADE_REQUEST, Uint8Array.of(0x16, 3, 1), new Uint8Array(0)];
    for (let n = 0; n < 400; n++) {
      const c = conn(100 + n, [1883, 8083, 8883, 9001, 4000][n % 5]!, n % 3 !== 0);
      const events: TcpStreamEvent[] = [open(c)];
      if (!c.handshake) events.push(gap(c, "c2s"), gap(c, "s2c"));
      events.push(data(c, "c2s", starts[n % starts.length]!));
      if (n % 5 === 2) events.push(data(c, "s2c", UPGRADE_RESPONSE));
      let bytes = 0;
      for (let k = 0; k < 30; k++) {
        const dir = next() < 0.5 ? "c2s" : "s2c";
        if (next() < 0.1) events.push(lost(c, dir, 1 + Math.floor(next() * 100)));
        const chunk = Uint8Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * 256));
        // Some chunks are real packets or frames, so the decoders get past their first byte.
        const real = [publish({ qos: 1 }), packet(0x40, u16(1)), wsFrame({ opcode: 2, payload: publish({}), mask: dir === "c2s" ? MASK : undefined })][k % 3]!;
        const payload = next() < 0.5 ? real : chunk;
        bytes += payload.length;
        events.push(data(c, dir, payload));
      }
      events.push(close(c));
      let result: ReturnType<typeof run> | undefined;
      expect(() => (result = run(events))).not.toThrow();
      // Every packet takes at least two bytes.
      expect(result!.out.packets.length).toBeLessThanOrEqual(bytes / 2 + 10);
    }
  });
});
