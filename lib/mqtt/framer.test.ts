import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { explainFixedHeader, headerFromHex, KEPT_BODY_BYTES, MqttFramer } from "./framer";

const gen = (p: object) => new Uint8Array(mqttPacket.generate(p as mqttPacket.Packet));

describe("MqttFramer", () => {
  const publish = gen({ cmd: "publish", topic: "fleet/a/arm-01/telemetry", payload: Buffer.from('{"seq":1}'), qos: 2, messageId: 513, dup: true, retain: true });

  it("reads a PUBLISH's flags, topic, packet id and payload size, keeping the fixed header bytes", () => {
    const [p] = new MqttFramer().push(publish);
    expect(p).toMatchObject({ type: "publish", qos: 2, dup: true, retain: true, id: 513, topic: "fleet/a/arm-01/telemetry", payloadBytes: 9 });
    expect(Array.from(p!.header)).toEqual([0x3d, publish.length - 2]);
  });

  it("reads the same packets whatever the chunking, one byte at a time included", () => {
    const stream = new Uint8Array([
      ...gen({ cmd: "connect", clientId: "arm-07", clean: false, protocolId: "MQTT", protocolVersion: 4, keepalive: 30 }),
      ...publish,
      ...gen({ cmd: "puback", messageId: 7 }),
      ...gen({ cmd: "pubrec", messageId: 8 }),
      ...gen({ cmd: "pubrel", messageId: 8 }),
      ...gen({ cmd: "pubcomp", messageId: 8 }),
      ...gen({ cmd: "pingreq" }),
    ]);
    const whole = new MqttFramer().push(stream);
    const framer = new MqttFramer();
    const bytewise = Array.from(stream).flatMap((b) => framer.push(new Uint8Array([b])));
    expect(bytewise).toEqual(whole);
    expect(whole.map((p) => `${p.type}${p.id ?? ""}`)).toEqual(["connect", "publish513", "puback7", "pubrec8", "pubrel8", "pubcomp8", "pingreq"]);
    expect(whole[0]).toMatchObject({ clientId: "arm-07", cleanSession: false });
    expect(whole.find((p) => p.type === "pubrel")!.qos).toBe(2);
  });

  it("counts a 10 MB payload without keeping it, and reads its multi-byte remaining length", () => {
    const big = gen({ cmd: "publish", topic: "big", payload: Buffer.alloc(10 * 1024 * 1024), qos: 0 });
    const framer = new MqttFramer();
    const packets = [];
    for (let i = 0; i < big.length; i += 65536) packets.push(...framer.push(big.subarray(i, i + 65536)));
    expect(packets).toHaveLength(1);
    expect(packets[0]!.payloadBytes).toBe(10 * 1024 * 1024);
    expect(packets[0]!.header.length).toBe(5); // type byte + 4 length bytes
    expect((framer as unknown as { body: Uint8Array }).body.length).toBe(KEPT_BODY_BYTES);
  });

  it("tells topics apart when one follows another, same length or not, and after a CONNECT", () => {
    const topics = ["fleet/a/arm-01/telemetry", "fleet/a/arm-01/telemetry", "fleet/a/arm-02/telemetry", "fleet/a/arm-02/log", "fleet/a/arm-02/log"];
    const packets = topics.map((topic) => gen({ cmd: "publish", topic, payload: Buffer.from("x"), qos: 0 }));
    const connect = gen({ cmd: "connect", clientId: "arm-07", protocolId: "MQTT", protocolVersion: 4, keepalive: 30 });
    const framer = new MqttFramer();
    const seen = [...packets, connect, packets[0]!].flatMap((b) => framer.push(b)).map((p) => p.topic ?? p.clientId);
    expect(seen).toEqual([...topics, "arm-07", topics[0]]);
  });

  it("takes a topic written as a string, as mqtt-packet writes it, and encodes any other string", () => {
    // What Aedes hands the socket for one PUBLISH: header, length, topic length, topic, id, payload.
    const topic = "fleet/ü/arm-01/telemetry";
    const whole = gen({ cmd: "publish", topic, payload: Buffer.from('{"seq":1}'), qos: 1, messageId: 9 });
    const topicBytes = Buffer.byteLength(topic);
    const framer = new MqttFramer();
    const out: string[] = [];
    const keep = (p: { type: string; topic?: string; id?: number; payloadBytes?: number; header: Uint8Array }) =>
      out.push(`${p.type} ${p.topic} ${p.id} ${p.payloadBytes} ${Array.from(p.header).join(",")}`);
    framer.feed(whole.subarray(0, 4), keep);
    framer.feedString(topic, keep);
    framer.feed(whole.subarray(4 + topicBytes), keep);
    // A string that is not a whole topic is fed as its UTF-8 bytes.
    framer.feedString("\u0040\u0002\u0000\u0005", keep); // PUBACK for id 5, all ASCII
    expect(out).toEqual([`publish ${topic} 9 9 ${Array.from(whole.subarray(0, 2)).join(",")}`, "puback undefined 5 undefined 64,2"]);
    expect(new MqttFramer().push(whole)[0]).toMatchObject({ topic, id: 9, payloadBytes: 9 });
  });

  it("reads the packet id of a PUBLISH whose topic is longer than what it keeps", () => {
    const topic = "t/".repeat(KEPT_BODY_BYTES);
    const [p] = new MqttFramer().push(gen({ cmd: "publish", topic, payload: Buffer.from("x"), qos: 1, messageId: 300 }));
    expect(p).toMatchObject({ id: 300, payloadBytes: 1 });
    expect(topic.startsWith(p!.topic!)).toBe(true);
  });

  it("gives up on a remaining length longer than four bytes instead of guessing", () => {
    const framer = new MqttFramer();
    expect(framer.push(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual([]);
    expect(framer.failed).toMatch(/four bytes/);
  });
});

describe("explainFixedHeader", () => {
  it("spells out the type, the flags and the remaining length's bytes", () => {
    const e = explainFixedHeader(new Uint8Array([0x3b, 0xc1, 0x02]));
    expect(e).toEqual({ bits: "00111011", type: "publish", flags: "DUP=1 QoS=1 RETAIN=1", lengthBytes: ["11000001", "00000010"], remainingLength: 321 });
    expect(explainFixedHeader(headerFromHex("3bc102"))).toEqual(e);
    expect(explainFixedHeader(headerFromHex("4002")).flags).toBe("reserved 0000");
  });
});
