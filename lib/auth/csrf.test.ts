import { describe, expect, it } from "vitest";
import { crossOriginRefused, serverOrigin } from "./csrf";

const h = (o: Record<string, string>) => new Headers(o);

describe("the CSRF rule", () => {
  const own = serverOrigin(h({ host: "localhost:3000" }), "http://localhost:3000/api/users");

  it("refuses a state-changing request from another origin", () => {
    expect(own).toBe("http://localhost:3000");
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) expect(crossOriginRefused(m, "http://evil.example", own)).toBe(true);
    expect(crossOriginRefused("POST", "null", own)).toBe(true);
    expect(crossOriginRefused("POST", "http://localhost:3001", own)).toBe(true);
    expect(crossOriginRefused("POST", "https://localhost:3000", own)).toBe(true);
  });

  it("allows this server's origin, requests without Origin, and reads", () => {
    expect(crossOriginRefused("POST", "http://localhost:3000", own)).toBe(false);
    expect(crossOriginRefused("POST", "HTTP://LOCALHOST:3000", own)).toBe(false);
    expect(crossOriginRefused("POST", null, own)).toBe(false);
    expect(crossOriginRefused("GET", "http://evil.example", own)).toBe(false);
  });

  it("takes the origin a TLS-terminating proxy reports", () => {
    expect(serverOrigin(h({ host: "internal:3000", "x-forwarded-host": "fleet.example", "x-forwarded-proto": "https" }), "http://internal:3000/")).toBe("https://fleet.example");
  });
});
