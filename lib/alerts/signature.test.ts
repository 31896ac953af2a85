import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signBody, verifySignature } from "./signature";

describe("webhook signature", () => {
  const body = JSON.stringify({ version: "4", status: "firing" });

  it("is HMAC-SHA256 of the exact body, hex, after sha256=", () => {
    expect(signBody("s3cret", body)).toBe(`sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
    // RFC 4231 test case 2.
    expect(signBody("Jefe", "what do ya want for nothing?")).toBe("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(SIGNATURE_HEADER).toBe("X-Fleetscope-Signature-256");
  });

  it("verifies its own signature, and refuses another secret, another body or a malformed header", () => {
    const sig = signBody("s3cret", body);
    expect(verifySignature("s3cret", body, sig)).toBe(true);
    expect(verifySignature("other", body, sig)).toBe(false);
    expect(verifySignature("s3cret", body + " ", sig)).toBe(false);
    expect(verifySignature("s3cret", body, sig.slice(7))).toBe(false);
    expect(verifySignature("s3cret", body, "sha256=00")).toBe(false);
    expect(verifySignature("s3cret", body, undefined)).toBe(false);
  });

  it("signs bytes and text alike", () => {
    expect(signBody("k", new TextEncoder().encode(body))).toBe(signBody("k", body));
  });
});
