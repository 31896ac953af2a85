import type { Packet } from "mqtt";
import { describe, expect, it } from "vitest";
import { PacketIds } from "./packet-ids";

const publish = (payload: Buffer, messageId: number, dup = false) => ({ cmd: "publish", topic: "fleet/lab/a/cmd/stop", payload, qos: 2, dup, retain: false, messageId }) as Packet;
const ack = (cmd: "pubrec" | "pubcomp" | "puback", messageId: number) => ({ cmd, messageId }) as Packet;

describe("packet ids of command flows", () => {
  it("a request is known by its payload as it goes out, then by its packet id through PUBREC and PUBCOMP", () => {
    const ids = new PacketIds();
    const payload = Buffer.from('{"id":"c1"}');
    ids.publishing(payload, "c1");
    expect(ids.step(publish(payload, 7), "send", 10)).toEqual({ id: "c1", input: { type: "published", at: 10, dup: false } });
    expect(ids.step(ack("pubrec", 7), "receive", 11)).toEqual({ id: "c1", input: { type: "pubrec", at: 11 } });
    expect(ids.step(ack("pubcomp", 7), "receive", 12)).toBeNull();
    // The flow is complete: packet id 7 may now belong to another flow.
    expect(ids.step(ack("pubrec", 7), "receive", 13)).toBeNull();
    ids.published(payload);
    expect(ids.takePubacked("c1")).toBe(false);
  });

  it("a resend from MQTT.js's store carries an equal copy of the payload, and a DUP resend is known by its packet id", () => {
    const ids = new PacketIds();
    ids.publishing(Buffer.from("req-c2"), "c2");
    expect(ids.step(publish(Buffer.from("req-c2"), 3), "send", 1)?.id).toBe("c2");
    ids.published(Buffer.from("req-c2"));
    expect(ids.step(publish(Buffer.from("other"), 3, true), "send", 2)).toEqual({ id: "c2", input: { type: "published", at: 2, dup: true } });
  });

  it("a PUBACK for a QoS 2 request (a downgrading broker) ends its flow, and its callback is told it was no PUBCOMP, once", () => {
    const ids = new PacketIds();
    const payload = Buffer.from("req-c3");
    ids.publishing(payload, "c3");
    ids.step(publish(payload, 9), "send", 1);
    expect(ids.step(ack("puback", 9), "receive", 2)).toEqual({ id: "c3", input: { type: "puback", at: 2 } });
    expect(ids.takePubacked("c3")).toBe(true);
    expect(ids.takePubacked("c3")).toBe(false);
  });

  it("packets of publishes that are no command's, and acknowledgements for unknown ids, concern no command", () => {
    const ids = new PacketIds();
    expect(ids.step(publish(Buffer.from("telemetry"), 4), "send", 1)).toBeNull();
    expect(ids.step(ack("pubrec", 4), "receive", 1)).toBeNull();
    expect(ids.step(publish(Buffer.from("x"), 5), "receive", 1)).toBeNull();
  });
});
