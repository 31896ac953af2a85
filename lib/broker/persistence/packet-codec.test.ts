import { describe, expect, it } from "vitest";
import { asAedesPacket, decodePacket, encodePacket, snapshot } from "./packet-codec";

describe("broker packet codec", () => {
  it("a packet read back has the same own keys, those set to undefined included", () => {
    const packet = { cmd: "publish", topic: "fleet/lab/arm-1/log", payload: Buffer.from("x"), qos: 1, retain: false, dup: false, messageId: undefined };
    const { payload, meta } = encodePacket(packet);
    const back = decodePacket(payload, meta);
    expect(back).toStrictEqual(packet);
    expect(Object.keys(back).sort()).toEqual(Object.keys(packet).sort());
  });

  it("keeps a string payload a string and a Buffer a Buffer", () => {
    for (const p of [Buffer.from([0, 255, 1]), "text payload"]) {
      const { payload, meta } = encodePacket({ topic: "t", payload: p });
      expect(decodePacket(payload, meta).payload).toStrictEqual(p);
    }
  });

  it("keeps Buffers nested in MQTT 5 properties", () => {
    const packet = { cmd: "publish", topic: "t", payload: Buffer.from("p"), properties: { correlationData: Buffer.from("c-1"), userProperties: { a: "b" } } };
    const { payload, meta } = encodePacket(packet);
    expect(decodePacket(payload, meta)).toStrictEqual(packet);
  });

  it("lifted keys come back from their columns, and only the packets that had them get them", () => {
    const queued = asAedesPacket({ cmd: "publish", topic: "t", payload: Buffer.from("p"), qos: 2, brokerId: "b1", brokerCounter: 7, messageId: 99, length: 14 });
    // Queued as aedes queues it: its id unassigned, no wire length.
    expect(queued.messageId).toBeUndefined();
    expect(Object.hasOwn(queued, "length")).toBe(false);
    const { payload, meta } = encodePacket(queued, ["messageId", "brokerId", "brokerCounter"]);
    expect(meta).not.toContain("b1");
    expect(decodePacket(payload, meta, { messageId: 12, brokerId: "b1", brokerCounter: 7 })).toStrictEqual({ ...queued, messageId: 12 });
    const pubrel = encodePacket({ cmd: "pubrel", messageId: 12 }, ["messageId", "brokerId", "brokerCounter"]);
    expect(decodePacket(pubrel.payload, pubrel.meta, { messageId: 12, brokerId: null, brokerCounter: null })).toStrictEqual({ cmd: "pubrel", messageId: 12 });
  });

  it("a snapshot leaves aedes' write callbacks behind", () => {
    const copy = snapshot({ cmd: "publish", messageId: 3, writeCallback: () => {} });
    expect(copy).toStrictEqual({ cmd: "publish", messageId: 3 });
  });
});
