import { describe, expect, it } from "vitest";
import { count, dueAt, emptyTotals, ownBroker, progressLine, totalsLine } from "./replay-plan";

describe("replay schedule", () => {
  it("keeps the original gaps, divided by the speed", () => {
    const clock = { first: 10_000, start: 500, speed: 10 };
    expect([10_000, 10_100, 12_000].map((ts) => dueAt(clock, ts))).toEqual([500, 510, 700]);
    expect(dueAt({ ...clock, speed: 1 }, 12_000)).toBe(2500);
  });

  it("counts publishes by QoS, retained and truncated, and a late one's lag (never an early one's)", () => {
    const t = emptyTotals();
    count(t, { qos: 1, retain: true, truncated: false }, 100, 90);
    count(t, { qos: 2, retain: false, truncated: true }, 100, 130);
    expect(t).toEqual({ published: 2, byQos: [0, 1, 1], retained: 1, truncated: 1, maxLagMs: 30, lagSumMs: 30 });
    expect(progressLine(t, 4, Date.UTC(2026, 0, 1), 30)).toBe("2 of ≤4 published (50%), at 2026-01-01T00:00:00.000Z, lag 30 ms (max 30 ms)");
    expect(totalsLine(t, 1500)).toBe("2 published in 1.5 s (QoS 0: 0, QoS 1: 1, QoS 2: 1; 1 retained; 1 truncated), lag mean 15.0 ms, max 30 ms");
  });
});

describe("the broker Fleetscope uses", () => {
  const embedded = { mqttUrl: undefined, mqttTcpPort: 1883, port: 3000 };
  it("is the configured MQTT_URL, however its host and port are spelled", () => {
    const own = { ...embedded, mqttUrl: "mqtt://broker.lan" };
    expect(ownBroker(new URL("mqtt://BROKER.lan:1883"), own)).toMatch(/MQTT_URL/);
    expect(ownBroker(new URL("mqtt://broker.lan:1884"), own)).toBeNull();
    expect(ownBroker(new URL("mqtt://staging:1883"), own)).toBeNull();
  });

  it("is, with the embedded broker, this machine on its TCP port or the web port; another port or host is not", () => {
    expect(ownBroker(new URL("mqtt://localhost"), embedded)).toMatch(/1883/);
    expect(ownBroker(new URL("ws://127.0.0.1:3000/mqtt"), embedded)).toMatch(/3000/);
    expect(ownBroker(new URL("mqtt://127.0.0.1:18830"), embedded)).toBeNull();
    expect(ownBroker(new URL("mqtt://staging:1883"), embedded)).toBeNull();
  });
});
