import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { ClientTap, encodeLength } from "./client-tap";
import { MqttFramer } from "../mqtt/framer";

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

  it("names an MQTT 5 acknowledgement's reason code, Success when left out, and none on 3.1.1", () => {
    const v5 = new ClientTap("me", () => 5);
    v5.event({ cmd: "publish", topic: "t", payload: "v", qos: 1, messageId: 4 } as never, "client", 1);
    expect(v5.event({ cmd: "puback", messageId: 4, reasonCode: 0x10, length: 4 } as never, "server", 2)!.reason).toEqual({ code: 0x10, name: "No matching subscribers" });
    v5.event({ cmd: "publish", topic: "t", payload: "v", qos: 1, messageId: 5 } as never, "client", 3);
    expect(v5.event({ cmd: "puback", messageId: 5, length: 2 } as never, "server", 4)!.reason).toEqual({ code: 0, name: "Success" });
    const v4 = new ClientTap("me");
    v4.event({ cmd: "publish", topic: "t", payload: "v", qos: 1, messageId: 6 } as never, "client", 5);
    expect(v4.event({ cmd: "puback", messageId: 6, reasonCode: 0, length: 2 } as never, "server", 6)!.reason).toBeUndefined();
  });

  it("traces the broker's CONNACK, SUBACK and DISCONNECT with their codes named, by the connection's level", () => {
    const v5 = new ClientTap("me", () => 5);
    expect(v5.event({ cmd: "suback", messageId: 2, granted: [1, 0x87], length: 5 } as never, "server", 1)).toMatchObject({
      type: "suback",
      id: 2,
      header: "9005",
      reason: { code: 1, name: "Granted QoS 1, Not authorized" },
    });
    expect(v5.event({ cmd: "disconnect", reasonCode: 0x8e, length: 1 } as never, "server", 2)!.reason).toEqual({ code: 0x8e, name: "Session taken over" });
    expect(v5.event({ cmd: "connack", reasonCode: 0x86, length: 3 } as never, "server", 3)!.reason).toEqual({ code: 0x86, name: "Bad User Name or Password" });
    const v4 = new ClientTap("me");
    expect(v4.event({ cmd: "connack", returnCode: 0, length: 2 } as never, "server", 4)!.reason).toEqual({ code: 0, name: "Connection Accepted" });
    // A 3.1.1 broker's refusal of level 5, parsed as MQTT 5, after the connection stepped down to 4.
    expect(v4.event({ cmd: "connack", reasonCode: 0x01, length: 2 } as never, "server", 4)!.reason).toEqual({ code: 1, name: "Connection Refused, unacceptable protocol version" });
    expect(v4.event({ cmd: "suback", messageId: 3, granted: [0x80], length: 3 } as never, "server", 5)!.reason).toEqual({ code: 0x80, name: "Failure" });
    expect(v4.event({ cmd: "subscribe", messageId: 3 } as never, "client", 6)).toBeNull();
  });

  it("encodes remaining lengths in 1 to 4 bytes", () => {
    expect(encodeLength(0)).toEqual([0]);
    expect(encodeLength(127)).toEqual([0x7f]);
    expect(encodeLength(128)).toEqual([0x80, 0x01]);
    expect(encodeLength(268_435_455)).toEqual([0xff, 0xff, 0xff, 0x7f]);
  });
});
