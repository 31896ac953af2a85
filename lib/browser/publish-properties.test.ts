import { describe, expect, it } from "vitest";
import { checkPublishProperties, EMPTY_PUBLISH_PROPERTIES } from "./publish-properties";

const text = (s: string) => new TextEncoder().encode(s);

describe("the publish tool's MQTT 5 properties", () => {
  it("sends none when nothing is filled in", () => {
    expect(checkPublishProperties(EMPTY_PUBLISH_PROPERTIES, text("x"))).toEqual({ errors: {}, properties: {} });
  });

  it("sends each property filled in, user properties in order with a repeated key as an array", () => {
    const r = checkPublishProperties(
      {
        contentType: "application/json",
        payloadFormat: "1",
        responseTopic: "lab/replies",
        correlationData: "00 ff 10",
        correlationFormat: "hex",
        messageExpiry: "60",
        userProperties: [
          { key: "site", value: "north" },
          { key: "", value: "" },
          { key: "tag", value: "a" },
          { key: "tag", value: "b" },
        ],
      },
      text('{"ok":true}'),
    );
    expect(r.errors).toEqual({});
    expect(r.properties).toMatchObject({
      contentType: "application/json",
      payloadFormatIndicator: true,
      responseTopic: "lab/replies",
      messageExpiryInterval: 60,
      userProperties: { site: "north", tag: ["a", "b"] },
    });
    expect([...r.properties!.correlationData!]).toEqual([0x00, 0xff, 0x10]);
  });

  it("refuses a wildcard response topic, a bad expiry, bad hex and a non-UTF-8 payload marked UTF-8", () => {
    const r = checkPublishProperties(
      { ...EMPTY_PUBLISH_PROPERTIES, payloadFormat: "1", responseTopic: "lab/+", correlationData: "zz", correlationFormat: "hex", messageExpiry: "1.5" },
      new Uint8Array([0xff, 0xfe]),
    );
    expect(r.properties).toBeNull();
    expect(Object.keys(r.errors).sort()).toEqual(["correlationData", "messageExpiry", "payloadFormat", "responseTopic"]);
    expect(r.errors.responseTopic).toMatch(/\+ or #/);
    expect(checkPublishProperties({ ...EMPTY_PUBLISH_PROPERTIES, messageExpiry: String(2 ** 32) }, text("")).errors.messageExpiry).toBeDefined();
  });
});
