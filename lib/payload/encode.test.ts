import { describe, expect, it } from "vitest";
import { checkPublishForm, encodePayload, MAX_PUBLISH_BYTES } from "./encode";

describe("encodePayload", () => {
  it("sends text and JSON as UTF-8", () => {
    expect(encodePayload("héllo", "text")).toEqual({ ok: true, bytes: new TextEncoder().encode("héllo") });
    expect(encodePayload('{"a":1}', "json").ok).toBe(true);
  });

  it("refuses JSON that does not parse, and says so", () => {
    expect(encodePayload("{a:1}", "json")).toMatchObject({ ok: false, error: expect.stringContaining("not valid JSON") });
  });

  it("reads hex with spaces or a 0x prefix, and refuses odd or foreign digits", () => {
    expect(encodePayload("0x0a ff 10", "hex")).toEqual({ ok: true, bytes: new Uint8Array([10, 255, 16]) });
    expect(encodePayload("abc", "hex").ok).toBe(false);
    expect(encodePayload("zz", "hex").ok).toBe(false);
  });

  it("reads base64, and an empty field as an empty payload", () => {
    expect(encodePayload("aGk=", "base64")).toEqual({ ok: true, bytes: new Uint8Array([104, 105]) });
    expect(encodePayload("a", "base64").ok).toBe(false);
    expect(encodePayload("", "base64")).toEqual({ ok: true, bytes: new Uint8Array() });
  });

  it("refuses a payload over the limit", () => {
    expect(encodePayload("x".repeat(MAX_PUBLISH_BYTES + 1), "text").ok).toBe(false);
  });
});

describe("checkPublishForm", () => {
  it("names the field that is wrong and produces no bytes", () => {
    const r = checkPublishForm({ topic: "fleet/+/x", payload: "{", format: "json" });
    expect(r.errors.topic).toMatch(/must not contain \+ or #/);
    expect(r.errors.payload).toMatch(/not valid JSON/);
    expect(r.bytes).toBeNull();
    expect(checkPublishForm({ topic: "", payload: "", format: "text" }).errors.topic).toMatch(/at least one character/);
  });

  it("passes a good form with its bytes", () => {
    expect(checkPublishForm({ topic: "lab/lamp", payload: "on", format: "text" })).toEqual({ errors: {}, bytes: new TextEncoder().encode("on") });
  });
});
