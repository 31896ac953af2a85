import { describe, expect, it } from "vitest";
import type { ConnLabel, DecodedPacket, MqttPacketEvent } from "../capture/mqtt-types";
import { CaptureTrace, endpointsOf, fixedHeaderHex } from "./capture-trace";
import { packetMatches, parsePacketsQuery } from "./requests";

const conn = (n: number) => `#${n} 127.0.0.1:5000${n} → 127.0.0.1:1883` as ConnLabel;
const ev = (c: ConnLabel, dir: "c2s" | "s2c", ts: number, packet: DecodedPacket): MqttPacketEvent => ({ conn: c, dir, ts, transport: "tcp", packet });
const connect = (clientId: string, cleanStart = true): DecodedPacket => ({ type: "CONNECT", remainingLength: 12 + clientId.length, protocolName: "MQTT", protocolLevel: 4, cleanStart, keepAlive: 60, clientId });
const publish = (qos: 0 | 1 | 2, id: number | undefined, topic: string, dup = false): DecodedPacket =>
  ({ type: "PUBLISH", remainingLength: 2 + topic.length + (id === undefined ? 0 : 2) + 4, dup, qos, retain: false, topic, id, payloadLength: 4, payload: new Uint8Array(4), payloadTruncated: false }) as DecodedPacket;
const ack = (type: "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP", id: number): DecodedPacket => ({ type, id, remainingLength: 2 });

describe("a capture as the live trace", () => {
  it("names a hop by its client id, follows QoS 1 and 2 handshakes, and ends with what is in flight or stuck", () => {
    const t = new CaptureTrace();
    const a = conn(1);
    const events = [
      ev(a, "c2s", 1000, connect("arm-01")),
      ev(a, "c2s", 1001, publish(2, 7, "fleet/lab/arm-01/telemetry")),
      ev(a, "s2c", 1002, ack("PUBREC", 7)),
      ev(a, "c2s", 1003, ack("PUBREL", 7)),
      ev(a, "s2c", 1004, ack("PUBCOMP", 7)),
      ev(a, "c2s", 1005, publish(1, 8, "fleet/lab/arm-01/telemetry")),
      ev(a, "c2s", 9000, publish(1, 9, "fleet/lab/arm-01/telemetry")),
      ev(a, "s2c", 9001, ack("PUBACK", 77)),
    ].map((e) => t.event(e));
    expect(events[0]).toMatchObject({ hop: "arm-01", from: "client", type: "connect" });
    expect(events[4]).toMatchObject({ type: "pubcomp", from: "server", id: 7, topic: "fleet/lab/arm-01/telemetry", device: "arm-01", flow: { state: "complete", latencyMs: 3 } });
    // PUBLISH, QoS 2: 0x34; 2 + 26 topic bytes + 2 id bytes + 4 payload bytes = 0x22.
    expect(events[1]).toMatchObject({ type: "publish", qos: 2, header: "3422", payloadBytes: 4 });
    expect(t.finish()).toEqual({ complete: 1, in_flight: 1, stuck: 1 });
    expect(t.flows.get("arm-01")!.byQos["1"]).toEqual({ complete: 0, in_flight: 1, stuck: 1 });
    // The PUBACK for an id nothing sent is an orphan, said as the live trace says it.
    expect(t.anomalies.map((x) => x.text)).toContain("PUBACK for packet id 77 with no PUBLISH in flight");
    expect([...t.devices]).toEqual(["arm-01"]);
  });

  it("names a connection whose CONNECT came before the capture by the client id it is told", () => {
    const c = conn(5);
    const t = new CaptureTrace(new Map([[endpointsOf(c), "arm-07"]]));
    expect(t.event(ev(c, "c2s", 1, publish(1, 3, "fleet/lab/arm-07/telemetry")))).toMatchObject({ hop: "arm-07" });
    expect(t.hopOf(conn(6))).toBe(conn(6));
  });

  it("marks a device's message with the device on every hop, the broker's copy to a subscriber too", () => {
    const t = new CaptureTrace();
    const [dev, sub] = [conn(3), conn(4)];
    const events = [
      ev(dev, "c2s", 1, connect("arm-02")),
      ev(sub, "c2s", 2, connect("dashboard")),
      ev(dev, "c2s", 3, publish(1, 5, "fleet/lab/arm-02/telemetry")),
      ev(sub, "s2c", 4, publish(1, 9, "fleet/lab/arm-02/telemetry")),
      ev(sub, "c2s", 5, ack("PUBACK", 9)),
      ev(dev, "s2c", 6, ack("PUBACK", 5)),
    ].map((e) => t.event(e)!);
    const query = parsePacketsQuery(new URLSearchParams({ device: "arm-02" }));
    if (!query.ok) throw new Error(query.message);
    expect(events.filter((e) => packetMatches(query.query, e)).map((e) => `${e.hop} ${e.type}`)).toEqual(["arm-02 publish", "dashboard publish", "dashboard puback", "arm-02 puback"]);
  });

  it("keeps a connection without CONNECT under its addresses, and lists malformed packets with their rule", () => {
    const t = new CaptureTrace();
    const b = conn(2);
    expect(t.event(ev(b, "c2s", 5, publish(0, undefined, "x/y")))).toMatchObject({ hop: b, flow: { state: "complete" } });
    expect(t.event(ev(b, "c2s", 6, { type: "MALFORMED", declared: "PUBLISH", header: 0x36, remainingLength: 4, error: "malformed", rule: "[MQTT-3.3.1-4]", reason: "QoS 3" }))).toBeNull();
    expect(t.malformed).toEqual([{ hop: b, ts: 6, dir: "c2s", rule: "[MQTT-3.3.1-4]", reason: "QoS 3", error: "malformed" }]);
    expect(t.malformedCount).toBe(1);
  });

  it("writes the fixed header as on the wire: flags, and a Remaining Length of several bytes", () => {
    expect(fixedHeaderHex({ type: "PUBLISH", remainingLength: 200, dup: true, qos: 1, retain: true, topic: "a", id: 1, payloadLength: 0, payload: new Uint8Array(0), payloadTruncated: false })).toBe("3bc801");
    expect(fixedHeaderHex({ type: "PUBREL", id: 1, remainingLength: 2 })).toBe("6202");
    expect(fixedHeaderHex({ type: "PINGREQ", remainingLength: 0 })).toBe("c000");
  });
});
