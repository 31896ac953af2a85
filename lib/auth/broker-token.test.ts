import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BROKER_TOKEN_TTL_MS, issueBrokerToken, verifyBrokerToken } from "./broker-token";

const key = randomBytes(32);

describe("broker tokens", () => {
  it("carry the user and role until they expire", () => {
    const { token, expiresAt } = issueBrokerToken({ username: "op", role: "operator" }, 1000, key);
    expect(expiresAt).toBe(1000 + BROKER_TOKEN_TTL_MS);
    expect(verifyBrokerToken(token, 1001, key)).toEqual({ username: "op", role: "operator" });
    expect(verifyBrokerToken(token, expiresAt, key)).toBeNull();
  });

  it("are refused when forged, altered or signed with another process's key", () => {
    const { token } = issueBrokerToken({ username: "v", role: "viewer" }, 0, key);
    const [prefix, , sig] = token.split(".");
    const raised = Buffer.from(JSON.stringify({ u: "v", r: "admin", exp: 1e15 })).toString("base64url");
    expect(verifyBrokerToken(`${prefix}.${raised}.${sig}`, 1, key)).toBeNull();
    expect(verifyBrokerToken(token, 1, randomBytes(32))).toBeNull();
    for (const bad of ["", "fsb1.", "fsb1.a.b.c", "fsb1.!!!.???", "password"]) expect(verifyBrokerToken(bad, 1, key)).toBeNull();
  });
});
