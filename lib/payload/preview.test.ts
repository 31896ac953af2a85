import { describe, expect, it } from "vitest";
import { boundedPayload } from "./bounded";
import { payloadPreview } from "./preview";

describe("payloadPreview", () => {
  it("shows text on one line, binary as its size, and says when a payload is empty", () => {
    expect(payloadPreview(boundedPayload(new TextEncoder().encode('{"a":\n 1}')))).toBe('{"a": 1}');
    expect(payloadPreview(boundedPayload(new Uint8Array([0, 159, 146, 150])))).toBe("<4 bytes>");
    expect(payloadPreview(boundedPayload(new Uint8Array()))).toBe("(empty)");
  });
});
