import { describe, expect, it } from "vitest";
import { concat, fromHex, text } from "./fixtures/build";
import { connect, NO_PROPS, packet, props, publish, str, u16, u32, varint } from "./fixtures/mqtt-build";
import { decodePacket, MAX_PAYLOAD_HEAD_BYTES, type DecodeOptions } from "./mqtt-packet";
import type { DecodedPacket, MalformedPacket, MqttPacket, MqttVersion } from "./mqtt-types";

const v4 = (bytes: Uint8Array, o: Partial<DecodeOptions> = {}) => decodePacket(bytes, { version: 4, ...o });
const v5 = (bytes: Uint8Array, o: Partial<DecodeOptions> = {}) => decodePacket(bytes, { version: 5, ...o });

function ok(p: DecodedPacket): MqttPacket {
  if (p.type === "MALFORMED") throw new Error(`${p.rule} ${p.reason}`);
  return p;
}

function asMalformed(p: DecodedPacket): MalformedPacket {
  if (p.type !== "MALFORMED") throw new Error(`expected a malformed packet, got ${JSON.stringify(p)}`);
  return p;
}

describe("decodePacket: MQTT 3.1.1 and 3.1", () => {
  it("reads a CONNECT's fields and keeps the password's length, never its bytes", () => {
    const bytes = connect({ clientId: "arm-01", keepAlive: 30, will: { topic: "fleet/a/arm-01/status", payload: text("offline"), qos: 1, retain: true }, username: "arm-user", password: text("s3cret-pw") });
    const p = v4(bytes);
    expect(p).toEqual({
      type: "CONNECT",
      remainingLength: bytes.length - 2,
      protocolName: "MQTT",
      protocolLevel: 4,
      cleanStart: true,
      keepAlive: 30,
      clientId: "arm-01",
      will: { topic: "fleet/a/arm-01/status", qos: 1, retain: true, payloadLength: 7, payload: text("offline") },
      username: "arm-user",
      passwordLength: 9,
    });
    expect(JSON.stringify(p)).not.toContain("s3cret");
  });

  it("reads an MQTT 3.1 CONNECT (MQIsdp, level 3) and a bridge's (level 0x84)", () => {
    expect(v4(connect({ level: 3 }))).toMatchObject({ type: "CONNECT", protocolName: "MQIsdp", protocolLevel: 3 });
    expect(v4(connect({ level: 0x84, name: "MQTT" }))).toMatchObject({ type: "CONNECT", protocolLevel: 4, bridge: true });
  });

  it("reads every other packet type", () => {
    expect(v4(fromHex("20020100"))).toEqual({ type: "CONNACK", remainingLength: 2, sessionPresent: true, reason: { code: 0, name: "Connection Accepted" } });
    expect(v4(fromHex("20020005"))).toMatchObject({ reason: { code: 5, name: "Connection Refused, not authorized" } });
    expect(v4(publish({ qos: 2, id: 7, retain: true, dup: true }))).toMatchObject({ type: "PUBLISH", qos: 2, id: 7, dup: true, retain: true, topic: "fleet/a/arm-01/telemetry", payloadLength: 9 });
    for (const [first, type] of [[0x40, "PUBACK"], [0x50, "PUBREC"], [0x62, "PUBREL"], [0x70, "PUBCOMP"]] as const) {
      expect(v4(packet(first, u16(9)))).toEqual({ type, remainingLength: 2, id: 9 });
    }
    expect(v4(packet(0x82, u16(3), str("fleet/#"), [1], str("a/+/b"), [2]))).toEqual({
      type: "SUBSCRIBE",
      remainingLength: 20,
      id: 3,
      subscriptions: [
        { filter: "fleet/#", qos: 1 },
        { filter: "a/+/b", qos: 2 },
      ],
    });
    expect(v4(packet(0x90, u16(3), [1, 0x80]))).toMatchObject({ type: "SUBACK", id: 3, reasons: [{ code: 1, name: "Success - Maximum QoS 1" }, { code: 0x80, name: "Failure" }] });
    expect(v4(packet(0xa2, u16(4), str("fleet/#")))).toEqual({ type: "UNSUBSCRIBE", remainingLength: 11, id: 4, filters: ["fleet/#"] });
    expect(v4(packet(0xb0, u16(4)))).toEqual({ type: "UNSUBACK", remainingLength: 2, id: 4 });
    expect(v4(fromHex("c000"))).toEqual({ type: "PINGREQ", remainingLength: 0 });
    expect(v4(fromHex("d000"))).toEqual({ type: "PINGRESP", remainingLength: 0 });
    expect(v4(fromHex("e000"))).toEqual({ type: "DISCONNECT", remainingLength: 0 });
  });

  it("lets an MQTT 3.1 client set DUP on PUBREL, SUBSCRIBE and UNSUBSCRIBE, as 3.1 allowed", () => {
    expect(decodePacket(packet(0x6a, u16(1)), { version: 3 })).toMatchObject({ type: "PUBREL", id: 1 });
    expect(asMalformed(v4(packet(0x6a, u16(1)))).rule).toBe("[MQTT-3.6.1-1]");
  });

  it("keeps the first 256 payload bytes as a copy, and says the rest was cut", () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const bytes = publish({ payload });
    const p = v4(bytes);
    if (p.type !== "PUBLISH") throw new Error(p.type);
    expect(p.payloadLength).toBe(1000);
    expect(p.payload).toEqual(payload.subarray(0, MAX_PAYLOAD_HEAD_BYTES));
    expect(p.payloadTruncated).toBe(true);
    expect(p.payload.buffer).not.toBe(bytes.buffer);
    expect(v4(publish({ payload: text("x") }))).toMatchObject({ payloadLength: 1, payloadTruncated: false });
  });

  it("decodes a packet of which only the head was kept, counting the payload it did not keep", () => {
    const big = publish({ qos: 1, payload: new Uint8Array(100_000) });
    const head = big.subarray(0, 400);
    expect(v4(head, { packetLength: big.length })).toMatchObject({ type: "PUBLISH", payloadLength: 100_000, payloadTruncated: true });
    const sub = packet(0x82, u16(3), str("a"), [1], str("b"), [1]);
    expect(asMalformed(v4(sub.subarray(0, 9), { packetLength: sub.length }))).toMatchObject({ error: "truncated", declared: "SUBSCRIBE" });
  });
});

describe("decodePacket: MQTT 5 properties and reason codes", () => {
  it("names every property and reads its value by its data type", () => {
    const bytes = publish({
      v5: true,
      qos: 1,
      properties: props(
        [0x01, [1]],
        [0x02, u32(3600)],
        [0x03, str("application/json")],
        [0x08, str("fleet/replies")],
        [0x09, str([0xc0, 0xff, 0xee])],
        [0x23, u16(4)],
        [0x26, concat(str("site"), str("north"))],
        [0x26, concat(str("site"), str("south"))],
      ),
    });
    const p = v5(bytes, { sender: "client" });
    expect(p).toMatchObject({ type: "PUBLISH", id: 1, topicAlias: 4 });
    expect(ok(p).properties).toEqual([
      { id: 0x01, name: "Payload Format Indicator", type: "byte", value: 1 },
      { id: 0x02, name: "Message Expiry Interval", type: "four-byte", value: 3600 },
      { id: 0x03, name: "Content Type", type: "string", value: "application/json" },
      { id: 0x08, name: "Response Topic", type: "string", value: "fleet/replies" },
      { id: 0x09, name: "Correlation Data", type: "binary", value: Uint8Array.of(0xc0, 0xff, 0xee), length: 3, truncated: false },
      { id: 0x23, name: "Topic Alias", type: "two-byte", value: 4 },
      { id: 0x26, name: "User Property", type: "pair", value: ["site", "north"] },
      { id: 0x26, name: "User Property", type: "pair", value: ["site", "south"] },
    ]);
  });

  it("reads the CONNECT's and the will's properties, and keeps Authentication Data's length only", () => {
    const bytes = connect({
      level: 5,
      properties: props([0x11, u32(30)], [0x21, u16(10)], [0x27, u32(65536)], [0x22, u16(5)], [0x19, [1]], [0x17, [0]], [0x15, str("SCRAM-SHA-1")], [0x16, str(text("client-first"))]),
      will: { properties: props([0x18, u32(5)], [0x26, concat(str("w"), str("x"))]), topic: "fleet/a/status", payload: text("offline"), qos: 1 },
    });
    const p = v5(bytes);
    if (p.type !== "CONNECT") throw new Error(JSON.stringify(p));
    expect(p.properties!.map((x) => [x.name, "value" in x ? x.value : x.length])).toEqual([
      ["Session Expiry Interval", 30],
      ["Receive Maximum", 10],
      ["Maximum Packet Size", 65536],
      ["Topic Alias Maximum", 5],
      ["Request Response Information", 1],
      ["Request Problem Information", 0],
      ["Authentication Method", "SCRAM-SHA-1"],
      ["Authentication Data", 12],
    ]);
    expect(p.properties!.at(-1)).toEqual({ id: 0x16, name: "Authentication Data", type: "redacted", length: 12 });
    expect(p.will).toMatchObject({ topic: "fleet/a/status", qos: 1, properties: [{ name: "Will Delay Interval", value: 5 }, { name: "User Property", value: ["w", "x"] }] });
  });

  it("reads a SUBSCRIBE's options and a Subscription Identifier as a Variable Byte Integer", () => {
    const p = v5(packet(0x82, u16(1), props([0x0b, varint(200_000)]), str("fleet/#"), [0b0010_1110], str("$share/g/a"), [0x01]));
    expect(p).toMatchObject({
      type: "SUBSCRIBE",
      properties: [{ name: "Subscription Identifier", type: "varint", value: 200_000 }],
      subscriptions: [
        { filter: "fleet/#", qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { filter: "$share/g/a", qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
  });

  it("names the CONNACK reason codes and reads the CONNACK's properties", () => {
    const connack = ok(v5(packet(0x20, [0, 0], props([0x24, [1]], [0x25, [0]], [0x28, [1]], [0x29, [0]], [0x2a, [1]], [0x13, u16(120)], [0x12, str("auto-1")], [0x1a, str("r/")], [0x1c, str("other:1883")], [0x1f, str("ok")]))));
    expect(connack).toMatchObject({ type: "CONNACK", sessionPresent: false, reason: { code: 0, name: "Success" } });
    expect((connack.properties ?? []).map((x) => x.name)).toEqual([
      "Maximum QoS",
      "Retain Available",
      "Wildcard Subscription Available",
      "Subscription Identifier Available",
      "Shared Subscription Available",
      "Server Keep Alive",
      "Assigned Client Identifier",
      "Response Information",
      "Server Reference",
      "Reason String",
    ]);
    expect(v5(packet(0x20, [0, 0x86], NO_PROPS))).toMatchObject({ reason: { code: 0x86, name: "Bad User Name or Password" } });
    expect(v5(packet(0x20, [0, 0x9c], NO_PROPS))).toMatchObject({ reason: { code: 0x9c, name: "Use another server" } });
  });

  it("names the acknowledgements' reason codes, Success when they leave it out", () => {
    expect(v5(packet(0x40, u16(1)))).toEqual({ type: "PUBACK", remainingLength: 2, id: 1, reason: { code: 0, name: "Success" } });
    expect(v5(packet(0x40, u16(1), [0x10]))).toMatchObject({ reason: { code: 0x10, name: "No matching subscribers" } });
    expect(v5(packet(0x50, u16(1), [0x97], props([0x1f, str("slow down")])))).toMatchObject({
      type: "PUBREC",
      reason: { code: 0x97, name: "Quota exceeded" },
      properties: [{ name: "Reason String", value: "slow down" }],
    });
    expect(v5(packet(0x62, u16(1), [0x92]))).toMatchObject({ type: "PUBREL", reason: { code: 0x92, name: "Packet Identifier not found" } });
    expect(v5(packet(0x70, u16(1), [0x00], NO_PROPS))).toMatchObject({ type: "PUBCOMP", reason: { name: "Success" } });
  });

  it("names each SUBACK and UNSUBACK reason code in order", () => {
    expect(v5(packet(0x90, u16(2), NO_PROPS, [0x00, 0x01, 0x02, 0x87, 0xa2]))).toMatchObject({
      type: "SUBACK",
      reasons: [
        { code: 0x00, name: "Granted QoS 0" },
        { code: 0x01, name: "Granted QoS 1" },
        { code: 0x02, name: "Granted QoS 2" },
        { code: 0x87, name: "Not authorized" },
        { code: 0xa2, name: "Wildcard Subscriptions not supported" },
      ],
    });
    expect(v5(packet(0xb0, u16(2), NO_PROPS, [0x00, 0x11]))).toMatchObject({ type: "UNSUBACK", reasons: [{ name: "Success" }, { name: "No subscription existed" }] });
  });

  it("names DISCONNECT and AUTH reason codes, and what an empty one implies", () => {
    expect(v5(fromHex("e000"))).toMatchObject({ type: "DISCONNECT", reason: { code: 0, name: "Normal disconnection" } });
    expect(v5(packet(0xe0, [0x04]))).toMatchObject({ reason: { name: "Disconnect with Will Message" } });
    expect(v5(packet(0xe0, [0x8e], props([0x1f, str("bye")]), []))).toMatchObject({ reason: { code: 0x8e, name: "Session taken over" }, properties: [{ value: "bye" }] });
    expect(v5(fromHex("f000"))).toMatchObject({ type: "AUTH", reason: { code: 0, name: "Success" } });
    expect(v5(packet(0xf0, [0x18], props([0x15, str("SCRAM-SHA-1")], [0x16, str([1, 2, 3])])))).toMatchObject({
      type: "AUTH",
      reason: { code: 0x18, name: "Continue authentication" },
      properties: [{ name: "Authentication Method" }, { name: "Authentication Data", type: "redacted", length: 3 }],
    });
  });

  it("takes an empty topic with a Topic Alias", () => {
    expect(v5(publish({ v5: true, topic: "", properties: props([0x23, u16(2)]) }))).toMatchObject({ type: "PUBLISH", topic: "", topicAlias: 2 });
  });

  it("cuts Correlation Data at 256 bytes, saying so", () => {
    const p = ok(v5(publish({ v5: true, properties: props([0x09, str(new Uint8Array(300))]) })));
    expect(p.properties![0]).toMatchObject({ type: "binary", length: 300, truncated: true });
    expect((p.properties![0] as { value: Uint8Array }).value).toHaveLength(256);
  });
});

describe("decodePacket: each broken rule, cited", () => {
  /** [what, version, bytes, rule, error?, sender?] */
  const CASES: [string, MqttVersion, Uint8Array, string, MalformedPacket["error"]?, ("client" | "server")?][] = [
    ["type 0", 4, fromHex("0000"), "MQTT 3.1.1 §2.2.1"],
    ["type 0 in 5", 5, fromHex("0000"), "MQTT 5.0 §2.1.2"],
    ["type 15 before MQTT 5", 4, fromHex("f000"), "MQTT 3.1.1 §2.2.1"],
    ["PUBLISH QoS 3", 4, packet(0x36, str("a"), u16(1)), "[MQTT-3.3.1-4]"],
    ["PUBLISH QoS 3 in 5", 5, packet(0x36, str("a"), u16(1), NO_PROPS), "[MQTT-3.3.1-4]"],
    ["reserved flags of PUBACK", 4, packet(0x41, u16(1)), "[MQTT-2.2.2-1]"],
    ["reserved flags of PUBACK in 5", 5, packet(0x41, u16(1)), "[MQTT-2.1.3-1]"],
    ["reserved flags of CONNECT", 4, Uint8Array.from([0x11, ...connect({}).subarray(1)]), "[MQTT-2.2.2-1]"],
    ["PUBREL flags", 4, packet(0x60, u16(1)), "[MQTT-3.6.1-1]"],
    ["SUBSCRIBE flags", 4, packet(0x80, u16(1), str("a"), [0]), "[MQTT-3.8.1-1]"],
    ["UNSUBSCRIBE flags", 4, packet(0xa0, u16(1), str("a")), "[MQTT-3.10.1-1]"],
    ["DISCONNECT flags", 4, fromHex("e100"), "[MQTT-3.14.1-1]"],
    ["AUTH flags", 5, fromHex("f100"), "[MQTT-3.15.1-1]"],
    ["a Remaining Length of five bytes", 4, fromHex("30ffffffff7f"), "MQTT 3.1.1 §2.2.3"],
    ["a Remaining Length not in its fewest bytes", 5, fromHex("c08000"), "[MQTT-1.5.5-1]"],
    ["a topic that is not UTF-8", 4, packet(0x30, u16(2), [0xc3, 0x28]), "[MQTT-1.5.3-1]"],
    ["a topic that is not UTF-8, in 5", 5, packet(0x30, u16(2), [0xc3, 0x28], NO_PROPS), "[MQTT-1.5.4-1]"],
    ["a UTF-16 surrogate encoded in UTF-8", 5, packet(0x30, u16(3), [0xed, 0xa0, 0x80], NO_PROPS), "[MQTT-1.5.4-1]"],
    ["an overlong encoding", 4, packet(0x30, u16(2), [0xc0, 0xaf]), "[MQTT-1.5.3-1]"],
    ["U+0000 in a topic", 4, packet(0x30, str("a\u0000b")), "[MQTT-1.5.3-2]"],
    ["U+0000 in a client id, in 5", 5, connect({ level: 5, clientId: "a\u0000" }), "[MQTT-1.5.4-2]"],
    ["a user property that is not UTF-8", 5, publish({ v5: true, properties: props([0x26, concat(str("k"), u16(1), [0xff])]) }), "[MQTT-1.5.4-1]"],
    ["packet id 0 on a QoS 1 PUBLISH", 4, publish({ qos: 1, id: 0 }), "[MQTT-2.3.1-1]"],
    ["packet id 0 on a client's QoS 2 PUBLISH, in 5", 5, publish({ v5: true, qos: 2, id: 0 }), "[MQTT-2.2.1-3]", "malformed", "client"],
    ["packet id 0 on a server's QoS 1 PUBLISH, in 5", 5, publish({ v5: true, qos: 1, id: 0 }), "[MQTT-2.2.1-4]", "malformed", "server"],
    ["packet id 0 on a SUBSCRIBE", 4, packet(0x82, u16(0), str("a"), [0]), "[MQTT-2.3.1-1]"],
    ["packet id 0 on an UNSUBSCRIBE, in 5", 5, packet(0xa2, u16(0), NO_PROPS, str("a")), "[MQTT-2.2.1-3]"],
    ["DUP on QoS 0", 4, publish({ dup: true }), "[MQTT-3.3.1-2]", "protocol-error"],
    ["a wildcard in a topic name", 4, publish({ topic: "fleet/+/x" }), "[MQTT-3.3.2-2]"],
    ["an empty topic", 4, publish({ topic: "" }), "[MQTT-4.7.3-1]"],
    ["an empty topic and no Topic Alias, in 5", 5, publish({ v5: true, topic: "" }), "MQTT 5.0 §3.3.2.1", "protocol-error"],
    ["a truncated PUBLISH", 4, publish({}).subarray(0, 10), "MQTT 3.1.1 §2.2.3", "truncated"],
    ["a packet cut inside its fixed header", 4, fromHex("3080"), "MQTT 3.1.1 §2.2.3", "truncated"],
    ["a Remaining Length too short for the topic", 4, fromHex("3003000461"), "MQTT 3.1.1 §2.2.3"],
    ["a protocol name that does not go with the level", 4, connect({ name: "MQTX" }), "[MQTT-3.1.2-1]"],
    ["the reserved connect flag", 4, connect({ flags: 0x03 }), "[MQTT-3.1.2-3]"],
    ["Will QoS without a will", 4, connect({ flags: 0x0a }), "[MQTT-3.1.2-13]"],
    ["Will QoS without a will, in 5", 5, connect({ level: 5, flags: 0x0a }), "[MQTT-3.1.2-11]"],
    ["Will QoS 3", 4, connect({ will: { topic: "t", payload: [], qos: 3 } }), "[MQTT-3.1.2-14]"],
    ["Will QoS 3, in 5", 5, connect({ level: 5, will: { topic: "t", payload: [], qos: 3 } }), "[MQTT-3.1.2-12]"],
    ["Will Retain without a will", 4, connect({ flags: 0x22 }), "[MQTT-3.1.2-15]"],
    ["Will Retain without a will, in 5", 5, connect({ level: 5, flags: 0x22 }), "[MQTT-3.1.2-13]"],
    ["a password without a user name", 4, connect({ flags: 0x42 }), "[MQTT-3.1.2-22]"],
    ["the will fields missing", 4, connect({ flags: 0x06 }), "[MQTT-3.1.2-9]"],
    ["the user name missing", 4, connect({ flags: 0x82 }), "[MQTT-3.1.2-19]"],
    ["the password missing, in 5", 5, connect({ level: 5, flags: 0x42 }), "[MQTT-3.1.2-19]"],
    ["bytes after a CONNECT's last field", 4, packet(0x10, connect({}).subarray(2), [0]), "MQTT 3.1.1 §3.1"],
    ["CONNACK reserved flag bits", 4, fromHex("20020200"), "MQTT 3.1.1 §3.2.2.1"],
    ["CONNACK reserved flag bits, in 5", 5, packet(0x20, [2, 0], NO_PROPS), "[MQTT-3.2.2-1]"],
    ["CONNACK return code 6", 4, fromHex("20020006"), "MQTT 3.1.1 §3.2.2.3"],
    ["CONNACK reason code 0x01, in 5", 5, packet(0x20, [0, 1], NO_PROPS), "MQTT 5.0 §3.2.2.2"],
    ["Session Present on a refusal", 4, fromHex("20020105"), "[MQTT-3.2.2-4]", "protocol-error"],
    ["Session Present on a refusal, in 5", 5, packet(0x20, [1, 0x87], NO_PROPS), "[MQTT-3.2.2-6]", "protocol-error"],
    ["a 3.1.1 CONNACK with a third byte", 4, fromHex("2003000000"), "MQTT 3.1.1 §3.2"],
    ["a 3.1.1 PUBACK with a reason code", 4, packet(0x40, u16(1), [0]), "MQTT 3.1.1 §3.4"],
    ["a SUBSCRIBE with no filter", 4, packet(0x82, u16(1)), "[MQTT-3.8.3-3]", "protocol-error"],
    ["a SUBSCRIBE with no filter, in 5", 5, packet(0x82, u16(1), NO_PROPS), "[MQTT-3.8.3-2]", "protocol-error"],
    ["reserved bits of a requested QoS", 4, packet(0x82, u16(1), str("a"), [0x04]), "[MQTT-3-8.3-4]"],
    ["a requested QoS 3", 4, packet(0x82, u16(1), str("a"), [3]), "[MQTT-3-8.3-4]"],
    ["reserved subscription option bits, in 5", 5, packet(0x82, u16(1), NO_PROPS, str("a"), [0x40]), "[MQTT-3.8.3-5]"],
    ["a Maximum QoS 3 requested, in 5", 5, packet(0x82, u16(1), NO_PROPS, str("a"), [3]), "MQTT 5.0 §3.8.3.1", "protocol-error"],
    ["Retain Handling 3", 5, packet(0x82, u16(1), NO_PROPS, str("a"), [0x30]), "MQTT 5.0 §3.8.3.1", "protocol-error"],
    ["No Local on a shared subscription", 5, packet(0x82, u16(1), NO_PROPS, str("$share/g/a"), [0x04]), "[MQTT-3.8.3-4]", "protocol-error"],
    ["# not last in a filter", 4, packet(0x82, u16(1), str("a/#/b"), [0]), "[MQTT-4.7.1-2]"],
    ["+ not a whole level", 4, packet(0xa2, u16(1), str("a+/b")), "[MQTT-4.7.1-3]"],
    ["an empty filter", 4, packet(0x82, u16(1), str(""), [0]), "[MQTT-4.7.3-1]"],
    ["SUBACK return code 3", 4, packet(0x90, u16(1), [3]), "[MQTT-3.9.3-2]"],
    ["SUBACK reason code 0x04, in 5", 5, packet(0x90, u16(1), NO_PROPS, [4]), "[MQTT-3.9.3-2]"],
    ["an UNSUBSCRIBE with no filter", 4, packet(0xa2, u16(1)), "[MQTT-3.10.3-2]", "protocol-error"],
    ["UNSUBACK reason code 0x01, in 5", 5, packet(0xb0, u16(1), NO_PROPS, [1]), "MQTT 5.0 §3.11.3"],
    ["a 3.1.1 UNSUBACK with a reason code", 4, packet(0xb0, u16(1), [0]), "MQTT 3.1.1 §3.11"],
    ["PUBACK reason code 0x92", 5, packet(0x40, u16(1), [0x92]), "[MQTT-3.4.2-1]"],
    ["PUBREC reason code 0x92", 5, packet(0x50, u16(1), [0x92]), "[MQTT-3.5.2-1]"],
    ["PUBREL reason code 0x10", 5, packet(0x62, u16(1), [0x10]), "[MQTT-3.6.2-1]"],
    ["PUBCOMP reason code 0x10", 5, packet(0x70, u16(1), [0x10]), "[MQTT-3.7.2-1]"],
    ["DISCONNECT reason code 0x01", 5, packet(0xe0, [1]), "[MQTT-3.14.2-1]"],
    ["a server's DISCONNECT with a Session Expiry Interval", 5, packet(0xe0, [0x8b], props([0x11, u32(0)])), "[MQTT-3.14.2-2]", "protocol-error", "server"],
    ["a 3.1.1 DISCONNECT with a body", 4, packet(0xe0, [0]), "MQTT 3.1.1 §3.14"],
    ["AUTH reason code 0x01", 5, packet(0xf0, [1]), "[MQTT-3.15.2-1]"],
    ["AUTH without an Authentication Method", 5, packet(0xf0, [0x18], NO_PROPS), "MQTT 5.0 §3.15.2.2.2", "protocol-error"],
    ["a PINGREQ with a body", 4, packet(0xc0, [0]), "MQTT 3.1.1 §3.12"],
    ["a PINGRESP with a body, in 5", 5, packet(0xd0, [0]), "MQTT 5.0 §3.13"],
    ["a property length past the packet", 5, packet(0x40, u16(1), [0], [20], [0x1f]), "MQTT 5.0 §2.2.2.1"],
    ["a property value past the property list", 5, packet(0x40, u16(1), [0], [2, 0x1f, 0x00]), "MQTT 5.0 §2.2.2.1"],
    ["an unassigned property identifier", 5, packet(0x40, u16(1), [0], props([0x05, [0]])), "MQTT 5.0 §2.2.2.2"],
    ["a property of another packet", 5, connect({ level: 5, properties: props([0x23, u16(1)]) }), "MQTT 5.0 §2.2.2.2"],
    ["a will property outside Will Properties", 5, connect({ level: 5, properties: props([0x18, u32(1)]) }), "MQTT 5.0 §2.2.2.2"],
    ["a property given twice", 5, publish({ v5: true, properties: props([0x03, str("a")], [0x03, str("b")]) }), "MQTT 5.0 §2.2.2.2", "protocol-error"],
    ["Receive Maximum 0", 5, connect({ level: 5, properties: props([0x21, u16(0)]) }), "MQTT 5.0 §2.2.2.2", "protocol-error"],
    ["Maximum QoS 2", 5, packet(0x20, [0, 0], props([0x24, [2]])), "MQTT 5.0 §2.2.2.2", "protocol-error"],
    ["Maximum Packet Size 0", 5, packet(0x20, [0, 0], props([0x27, u32(0)])), "MQTT 5.0 §2.2.2.2", "protocol-error"],
    ["Subscription Identifier 0", 5, packet(0x82, u16(1), props([0x0b, [0]]), str("a"), [0]), "MQTT 5.0 §2.2.2.2", "protocol-error"],
    ["Topic Alias 0", 5, publish({ v5: true, properties: props([0x23, u16(0)]) }), "[MQTT-3.3.2-8]", "protocol-error"],
    ["a client's PUBLISH with a Subscription Identifier", 5, publish({ v5: true, properties: props([0x0b, [3]]) }), "[MQTT-3.3.4-6]", "protocol-error", "client"],
  ];

  it.each(CASES)("%s", (_what, version, bytes, cited, error = "malformed", sender) => {
    const p = asMalformed(decodePacket(bytes, { version, sender }));
    expect({ rule: p.rule, error: p.error }).toEqual({ rule: cited, error });
    expect(p.reason).not.toBe("");
  });

  it("says what the first byte declared, and the Remaining Length when it could be read", () => {
    expect(v4(publish({ qos: 1, id: 0 }))).toMatchObject({ type: "MALFORMED", declared: "PUBLISH", header: 0x32, remainingLength: 37 });
    expect(v4(fromHex("0000"))).toMatchObject({ declared: undefined, header: 0, remainingLength: 0 });
    expect(v4(fromHex("30ffffffff7f"))).toMatchObject({ declared: "PUBLISH", remainingLength: undefined });
  });

  it("takes in 5 what 3.1.1 forbids, and the reverse", () => {
    expect(v5(connect({ level: 5, flags: 0x42, password: [] }).subarray(0))).toMatchObject({ type: "CONNECT" });
    expect(v4(fromHex("c08000"))).toMatchObject({ type: "PINGREQ" });
  });
});

describe("decodePacket on damaged input", () => {
  function random(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  const VALID: [MqttVersion, Uint8Array][] = [
    [4, connect({ will: { topic: "t/w", payload: text("bye"), qos: 1 }, username: "u", password: text("p") })],
    [5, connect({ level: 5, properties: props([0x11, u32(30)]), will: { topic: "t/w", payload: text("bye") }, username: "u" })],
    [4, publish({ qos: 2, id: 9 })],
    [5, publish({ v5: true, qos: 1, properties: props([0x26, concat(str("a"), str("b"))]) })],
    [5, packet(0x82, u16(1), props([0x0b, [7]]), str("fleet/#"), [0x02])],
    [5, packet(0x90, u16(1), NO_PROPS, [0, 1])],
    [5, packet(0xb0, u16(1), NO_PROPS, [0])],
    [5, packet(0x20, [0, 0], props([0x22, u16(10)]))],
    [5, packet(0xe0, [0x04], props([0x1f, str("x")]))],
    [5, packet(0xf0, [0x18], props([0x15, str("m")]))],
    [4, packet(0xa2, u16(3), str("a/b"))],
  ];

  it("returns every cut of a valid packet as truncated, never a packet", () => {
    for (const [version, bytes] of VALID) {
      expect(decodePacket(bytes, { version }).type).not.toBe("MALFORMED");
      for (let cut = 0; cut < bytes.length; cut++) {
        const p = asMalformed(decodePacket(bytes.subarray(0, cut), { version }));
        expect(p.error).toBe("truncated");
      }
    }
  });

  it("never throws on random bytes, in any version", () => {
    const next = random(7);
    for (let run = 0; run < 20_000; run++) {
      const length = Math.floor(next() * 40);
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      // Half the runs get a plausible header, so the body decoders see random bodies.
      if (run % 2 && length > 2) {
        bytes[0] = (Math.floor(next() * 16) << 4) | [0, 2][Math.floor(next() * 2)]!;
        bytes[1] = length - 2;
      }
      for (const version of [3, 4, 5] as const) expect(() => decodePacket(bytes, { version, packetLength: next() < 0.2 ? length + 10 : undefined })).not.toThrow();
    }
  });

  it("never throws when valid packets have random bytes changed", () => {
    const next = random(8);
    for (const [version, original] of VALID) {
      for (let run = 0; run < 2000; run++) {
        const bytes = original.slice();
        for (let k = 0; k < 1 + (run % 3); k++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        expect(() => decodePacket(bytes, { version })).not.toThrow();
      }
    }
  });
});
