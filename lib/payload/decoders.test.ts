import { get } from "sparkplug-payload";
import { describe, expect, it } from "vitest";
import { autoDecoder, base64ToBytes, decodePayload, hexDump, MAX_HEX_BYTES, numericLeaves, payloadLines } from "./decoders";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const sparkplug = get("spBv1.0")!;

describe("autoDecoder", () => {
  it("picks the most specific decoder that applies", () => {
    expect(autoDecoder(bytes('{"temp": 41.5, "joints": [1, 2]}'), "fleet/a/b/telemetry")).toBe("json");
    expect(autoDecoder(bytes("[1,2,3]"), "t")).toBe("json");
    expect(autoDecoder(bytes(" -12.5e3 "), "t")).toBe("number");
    expect(autoDecoder(bytes("online"), "t")).toBe("text");
    expect(autoDecoder(bytes("true"), "t")).toBe("text");
    expect(autoDecoder(new Uint8Array([0, 1, 2, 255]), "t")).toBe("hex");
    expect(autoDecoder(new Uint8Array(), "t")).toBe("text");
  });

  it("reads Sparkplug B under spBv1.0 topics, and hex when the bytes are not a payload", () => {
    const payload = sparkplug.encodePayload({ timestamp: 1_700_000_000_000, seq: 3, metrics: [{ name: "Temperature", type: "Double", value: 21.5 }] });
    expect(autoDecoder(payload, "spBv1.0/plant/DDATA/edge1/press")).toBe("sparkplug");
    expect(autoDecoder(payload, "other/topic")).not.toBe("sparkplug");
    expect(autoDecoder(new Uint8Array([0xff, 0xff, 0xff]), "spBv1.0/plant/DDATA/edge1")).toBe("hex");
  });
});

describe("decodePayload", () => {
  it("decodes Sparkplug B metrics into plain JSON, 64-bit integers included", () => {
    const payload = sparkplug.encodePayload({
      timestamp: 1_700_000_000_000,
      seq: 3,
      metrics: [
        { name: "Temperature", type: "Double", value: 21.5 },
        { name: "Counter", type: "UInt64", value: 12345 },
      ],
    });
    const { decoder, result } = decodePayload(payload, "spBv1.0/plant/DDATA/edge1/press");
    expect(decoder).toBe("sparkplug");
    expect(result.kind).toBe("json");
    const value = (result as { value: { timestamp: number; seq: number; metrics: { name: string; value: unknown }[] } }).value;
    expect(value.timestamp).toBe(1_700_000_000_000);
    expect(value.seq).toBe(3);
    expect(value.metrics.map((m) => [m.name, m.value])).toEqual([
      ["Temperature", 21.5],
      ["Counter", 12345],
    ]);
    expect(JSON.stringify(value)).not.toContain('"low"');
  });

  it("says why when a chosen decoder does not fit, instead of throwing", () => {
    expect(decodePayload(bytes("{oops"), "t", "json").result).toMatchObject({ kind: "error", message: expect.stringContaining("not JSON") });
    expect(decodePayload(new Uint8Array([0xc3, 0x28]), "t", "text").result).toEqual({ kind: "error", message: "not valid UTF-8" });
    expect(decodePayload(bytes("abc"), "t", "number").result.kind).toBe("error");
    expect(decodePayload(bytes("%%%"), "t", "base64").result).toEqual({ kind: "error", message: "not base64" });
    expect(decodePayload(new Uint8Array([1, 2, 3]), "spBv1.0/g/NDATA/e", "sparkplug").result.kind).toBe("error");
  });

  it("keeps hostile text as text: markup is just characters", () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(1)</script>\u202Ejavascript:alert(1)';
    const { decoder, result } = decodePayload(bytes(hostile), "t");
    expect(decoder).toBe("text");
    expect(result).toEqual({ kind: "text", text: hostile });
  });

  it("reads text with control characters as binary", () => {
    expect(autoDecoder(bytes("ab\u0001cd"), "t")).toBe("hex");
  });

  it("decodes base64 to text, or to hex when the bytes are binary", () => {
    expect(decodePayload(bytes(btoa("hello fleet")), "t", "base64").result).toEqual({ kind: "text", text: "hello fleet" });
    expect(decodePayload(bytes(btoa("\u0000\u0001")), "t", "base64").result.kind).toBe("hex");
    expect(base64ToBytes("aGk=\n")).toEqual(new Uint8Array([104, 105]));
    expect(base64ToBytes("abc")).toBeNull();
  });
});

describe("hexDump", () => {
  it("prints offset, 16 bytes and their printable characters per line", () => {
    const { lines, cut } = hexDump(bytes("Hello, MQTT world!\n"));
    expect(lines[0]).toBe("00000000  48 65 6c 6c 6f 2c 20 4d 51 54 54 20 77 6f 72 6c  |Hello, MQTT worl|");
    expect(lines[1]).toBe("00000010  64 21 0a                                         |d!.|");
    expect(cut).toBe(false);
  });

  it("cuts a huge payload at the limit and says so", () => {
    const { lines, cut } = hexDump(new Uint8Array(MAX_HEX_BYTES * 4));
    expect(lines).toHaveLength(MAX_HEX_BYTES / 16);
    expect(cut).toBe(true);
  });
});

describe("payloadLines and numericLeaves", () => {
  it("pretty-prints JSON into lines and finds its numeric leaves by path", () => {
    const { result } = decodePayload(bytes('{"temp":41.5,"joints":[1,2],"name":"x","ok":true}'), "t");
    expect(payloadLines(result)).toContain('  "temp": 41.5,');
    expect(numericLeaves(result)).toEqual({ temp: 41.5, "joints.0": 1, "joints.1": 2 });
    expect(numericLeaves(decodePayload(bytes("7"), "t").result)).toEqual({ value: 7 });
    expect(numericLeaves(decodePayload(bytes("on"), "t").result)).toEqual({});
  });
});
