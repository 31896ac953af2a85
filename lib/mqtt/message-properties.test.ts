import { describe, expect, it } from "vitest";
import { Buffer } from "buffer";
import { MAX_CORRELATION_BYTES, MAX_PROPERTY_TEXT, MAX_USER_PROPERTIES, messageProperties } from "./message-properties";

describe("a received PUBLISH's MQTT 5 properties", () => {
  it("are none on a packet without properties (every 3.1.1 message)", () => {
    expect(messageProperties({ topic: "a", properties: undefined })).toBeUndefined();
    expect(messageProperties({ topic: "a", properties: {} })).toBeUndefined();
  });

  it("keeps each property, user properties as ordered pairs with repeats", () => {
    const p = messageProperties({
      topic: "fleet/a",
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 30,
        contentType: "application/json",
        responseTopic: "fleet/a/reply",
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { site: "north", tag: ["x", "y"] },
        subscriptionIdentifier: 7,
        topicAlias: 3,
      },
    });
    expect(p).toEqual({
      payloadFormatIndicator: 1,
      messageExpiryInterval: 30,
      contentType: "application/json",
      responseTopic: "fleet/a/reply",
      correlationData: new Uint8Array([1, 2, 3]),
      correlationDataLength: 3,
      userProperties: [
        ["site", "north"],
        ["tag", "x"],
        ["tag", "y"],
      ],
      subscriptionIdentifiers: [7],
      topicAlias: { alias: 3, resolved: false },
    });
  });

  it("says an alias stood for the topic when the packet carried no topic name", () => {
    expect(messageProperties({ topic: "", properties: { topicAlias: 2 } })?.topicAlias).toEqual({ alias: 2, resolved: true });
  });

  it("bounds what a device sends: long text cut and marked, extra pairs counted, correlation data cut", () => {
    const many = Object.fromEntries(Array.from({ length: MAX_USER_PROPERTIES + 5 }, (_, i) => [`k${i}`, "v"]));
    const p = messageProperties({
      topic: "t",
      properties: { contentType: "x".repeat(MAX_PROPERTY_TEXT + 1), userProperties: many, correlationData: Buffer.alloc(MAX_CORRELATION_BYTES + 10) },
    })!;
    expect(p.contentType).toMatch(/… \(cut: 1025 characters\)$/);
    expect(p.userProperties).toHaveLength(MAX_USER_PROPERTIES);
    expect(p.userPropertiesLeftOut).toBe(5);
    expect(p.correlationData?.byteLength).toBe(MAX_CORRELATION_BYTES);
    expect(p.correlationDataLength).toBe(MAX_CORRELATION_BYTES + 10);
  });
});
