import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { ClientTap, encodeLength } from "./client-tap";
import { MqttFramer } from "./framer";

describe("ClientTap", () => {
  it("rebuilds a sent PUBLISH's fixed header exactly as the wire carries it", () => {
    const packet = { cmd: "publish", topic: "lab/ü", payload: Buffer.from("x".repeat(200)), qos: 2, messageId: 9, dup: false, retain: true } as const;
    const wire = new MqttFramer().push(new Uint8Array(mqttPacket.generate(packet as unknown as mqttPacket.Packet)))[0]!;
    const e = new ClientTap("fleetscope-ui-1").event(packet as never, "client", 1)!;
    expect(e.header).toBe(Buffer.from(wire.header).toString("hex"));
    expect(e).toMatchObject({ remainingLength: wire.remainingLength, payloadBytes: 200, qos: 2, retain: true, id: 9, flow: { state: "in_flight" } });
  });

  it("follows its own QoS 2 handshake to complete, and ignores packets that are not part of one", () => {
    const tap = new ClientTap("me");
    tap.event({ cmd: "publish", topic: "t", payload: "v", qos: 2, messageId: 3 } as never, "client", 10);
    tap.event({ cmd: "pubrec", messageId: 3, length: 2 } as never, "server", 12);
    tap.event({ cmd: "pubrel", messageId: 3 } as never, "client", 12);
    const done = tap.event({ cmd: "pubcomp", messageId: 3, length: 2 } as never, "server", 15)!;
    expect(done.flow).toMatchObject({ state: "complete", latencyMs: 5 });
    expect(done.header).toBe("7002");
    expect(tap.event({ cmd: "pingreq" } as never, "client", 16)).toBeNull();
  });

  it("encodes remaining lengths in 1 to 4 bytes", () => {
    expect(encodeLength(0)).toEqual([0]);
    expect(encodeLength(127)).toEqual([0x7f]);
    expect(encodeLength(128)).toEqual([0x80, 0x01]);
    expect(encodeLength(268_435_455)).toEqual([0xff, 0xff, 0xff, 0x7f]);
  });
});
