import { describe, expect, it } from "vitest";
import { resolveWsUrl } from "./live-feed";

describe("the browser's broker URL", () => {
  it("is wss:// on the page's own origin when the page came over https (a TLS proxy or HTTPS_CERT)", () => {
    expect(resolveWsUrl(null, { protocol: "https:", host: "fleet.example.com" })).toBe("wss://fleet.example.com/mqtt");
    expect(resolveWsUrl(null, { protocol: "https:", host: "localhost:3443" })).toBe("wss://localhost:3443/mqtt");
  });

  it("is ws:// for an http page, and MQTT_WS_URL when the server was given one", () => {
    expect(resolveWsUrl(null, { protocol: "http:", host: "localhost:3000" })).toBe("ws://localhost:3000/mqtt");
    expect(resolveWsUrl("wss://broker.example.com:8084/mqtt", { protocol: "http:", host: "localhost:3000" })).toBe("wss://broker.example.com:8084/mqtt");
  });
});
