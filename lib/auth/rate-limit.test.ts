import { describe, expect, it } from "vitest";
import { LoginLimiter } from "./rate-limit";

const opts = { windowMs: 1000, maxPerAccount: 3, maxPerAddress: 5, maxKeys: 100 };

describe("LoginLimiter", () => {
  it("refuses an account after its failures fill the window, until the oldest leaves it", () => {
    const l = new LoginLimiter(opts);
    for (let t = 0; t < 3; t++) {
      expect(l.check("admin", "1.1.1.1", t)).toEqual({ allowed: true });
      l.fail("admin", "1.1.1.1", t * 100);
    }
    expect(l.check("admin", "2.2.2.2", 250)).toEqual({ allowed: false, by: "account", retryAfterMs: 750 });
    expect(l.check("admin", "2.2.2.2", 1001)).toEqual({ allowed: true });
  });

  it("refuses an address spraying many accounts", () => {
    const l = new LoginLimiter(opts);
    for (let i = 0; i < 5; i++) l.fail(`user${i}`, "6.6.6.6", i);
    expect(l.check("fresh", "6.6.6.6", 10)).toMatchObject({ allowed: false, by: "address" });
    expect(l.check("fresh", "7.7.7.7", 10)).toEqual({ allowed: true });
  });

  it("clears an account's failures on success, but not its address's", () => {
    const l = new LoginLimiter(opts);
    for (let i = 0; i < 2; i++) l.fail("op", "3.3.3.3", i);
    l.succeed("op");
    l.fail("op", "3.3.3.3", 3);
    l.fail("op", "3.3.3.3", 4);
    expect(l.check("op", "9.9.9.9", 5)).toEqual({ allowed: true });
    l.fail("x", "3.3.3.3", 6);
    expect(l.check("y", "3.3.3.3", 7)).toMatchObject({ allowed: false, by: "address" });
  });

  it("keeps at most maxKeys keys", () => {
    const l = new LoginLimiter({ ...opts, maxKeys: 4 });
    for (let i = 0; i < 50; i++) l.fail(`u${i}`, `a${i}`, i);
    // The oldest were forgotten: u0 may try again; the newest is still remembered.
    expect(l.check("u0", "elsewhere", 60)).toEqual({ allowed: true });
  });
});
