/**
 * A broker that grants less than the bridge's QoS 2 (Mosquitto with `max_qos 1`, as RabbitMQ's
 * MQTT plugin always does): the bridge records the SUBACK's grant, and /api/health says it in
 * words, never "exactly once". The embedded Aedes grants QoS 2, and that is said too.
 * The health half runs the real server (`next build` first, as `npm test` does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startAedes } from "../helpers/brokers";
import { startMosquitto } from "../helpers/mosquitto";
import { killServers, startServerProcess } from "../helpers/server-process";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-granted-"));
afterAll(async () => {
  await killServers();
  rmSync(dir, { recursive: true, force: true });
});

async function bridgeGrant(url: string, name: string) {
  const store = new SqliteStore(join(dir, `${name}.db`));
  const bridge = new Bridge({ url, store, clientId: `granted-${name}`, spoolPath: join(dir, `${name}-spool.db`) });
  await bridge.start();
  const { subscription } = bridge.getStats();
  await bridge.stop();
  await store.close();
  return subscription;
}

describe("the granted QoS of the bridge's subscription", () => {
  it("is recorded as a downgrade when the broker grants QoS 1", async () => {
    const mosquitto = await startMosquitto({ listenerOptions: ["max_qos 1"] });
    try {
      const s = await bridgeGrant(mosquitto.tcpUrl, "max-qos-1");
      expect(s).toMatchObject({ filter: "#", asked: 2, granted: 1, downgraded: true });
      expect(s!.note).toContain("not exactly once");
    } finally {
      await mosquitto.stop();
    }
  });

  it("is QoS 2 as asked on the embedded broker", async () => {
    const aedes = await startAedes();
    try {
      expect(await bridgeGrant(aedes.tcpUrl, "aedes")).toMatchObject({ asked: 2, granted: 2, downgraded: false, note: "QoS 2 as asked: exactly once on this hop" });
    } finally {
      await aedes.stop();
    }
  });

  it("is said by /api/health of a server on that broker", async () => {
    const mosquitto = await startMosquitto({ listenerOptions: ["max_qos 1"] });
    try {
      const server = await startServerProcess({ DATABASE_URL: `file:${join(dir, "server.db")}`, MQTT_URL: mosquitto.tcpUrl, FLEETSCOPE_AUTH: "off" });
      const port = server.port;
      const health = (await (await fetch(`http://localhost:${port}/api/health`)).json()) as { bridge: { subscription: { asked: number; granted: number; note: string } } };
      expect(health.bridge.subscription).toMatchObject({ asked: 2, granted: 1 });
      expect(health.bridge.subscription.note).toBe("asked for QoS 2, the broker granted QoS 1: at least once (may arrive twice) on this hop, not exactly once");
      await server.stop();
    } finally {
      await mosquitto.stop();
    }
  }, 60_000);
});
