import { describe, expect, it } from "vitest";
import { hashSessionToken, newSessionToken, sessionCookie, sessionTokenFrom } from "./session-token";

describe("session tokens", () => {
  it("are random, and stored only as a hash", () => {
    const a = newSessionToken();
    expect(a).not.toBe(newSessionToken());
    expect(a.length).toBeGreaterThanOrEqual(43);
    expect(hashSessionToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(a)).not.toContain(a);
  });

  it("travel in an HttpOnly, SameSite=Lax cookie, Secure over HTTPS", () => {
    expect(sessionCookie("t", { secure: false, maxAgeS: 60 })).toBe("fleetscope_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(sessionCookie("t", { secure: true, maxAgeS: 60 })).toMatch(/; Secure$/);
  });

  it("are found among other cookies", () => {
    expect(sessionTokenFrom("a=1; fleetscope_session=abc; b=2")).toBe("abc");
    expect(sessionTokenFrom("fleetscope_session=")).toBeNull();
    expect(sessionTokenFrom(null)).toBeNull();
  });
});
