import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "./csp";

describe("the Content-Security-Policy", () => {
  it("runs only nonced scripts, never eval, in production, and forbids framing", () => {
    const csp = contentSecurityPolicy({ nonce: "abc", dev: false, host: "localhost:3000" });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it("lets the page reach the broker's WebSocket on its own origin and on MQTT_WS_URL", () => {
    const csp = contentSecurityPolicy({ nonce: "n", dev: false, host: "fleet.example:8443", mqttWsUrl: "wss://broker.example:9001/mqtt" });
    expect(csp).toContain("connect-src 'self' ws://fleet.example:8443 wss://fleet.example:8443 wss://broker.example:9001");
  });

  it("allows eval in development only", () => {
    expect(contentSecurityPolicy({ nonce: "n", dev: true, host: null })).toContain("'unsafe-eval'");
  });
});
