/**
 * docs/mosquitto/fleetscope.acl, the README's recipe for an external broker, against a real
 * Mosquitto: devices confined to their own subtree, browsers read-only, the server's account
 * allowed everything, anonymous clients refused.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { watchEverything, type Watcher } from "../helpers/delivered";
import { startMosquitto, type Mosquitto } from "../helpers/mosquitto";

const ACL = fileURLToPath(new URL("../../docs/mosquitto/fleetscope.acl", import.meta.url));
const ACCOUNTS = { fleetscope: "server-password", "fleetscope-browser": "browser-password", "arm-01": "arm-01-password" } as const;
const dir = mkdtempSync(join(tmpdir(), "fleetscope-acl-"));
let broker: Mosquitto;
let server: Watcher;
const clients: MqttClient[] = [];

async function connect(username: keyof typeof ACCOUNTS, clientId: string): Promise<MqttClient> {
  // MQTT 5, so Mosquitto says "not authorized" in the PUBACK instead of dropping silently.
  const c = await mqtt.connectAsync(broker.tcpUrl, { username, password: ACCOUNTS[username], clientId, protocolVersion: 5, reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const passwordFile = join(dir, "passwords");
  for (const [user, password] of Object.entries(ACCOUNTS)) {
    execFileSync("mosquitto_passwd", [...(user === "fleetscope" ? ["-c"] : []), "-b", passwordFile, user, password]);
  }
  // Mosquitto reads these after dropping to the mosquitto user (docs/architecture.md, gotcha 5).
  const aclFile = join(dir, "fleetscope.acl");
  copyFileSync(ACL, aclFile);
  for (const f of [passwordFile, aclFile]) chmodSync(f, 0o644);
  chmodSync(dir, 0o755);
  broker = await startMosquitto({ auth: { passwordFile, aclFile } });
  server = await watchEverything(broker.tcpUrl, { username: "fleetscope", password: ACCOUNTS.fleetscope, clientId: "fleetscope-bridge" });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await server.deliveredBeforeMarker(); // each test starts with nothing pending
});

afterAll(async () => {
  await server?.end();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the Mosquitto ACL example", () => {
  it("refuses anonymous clients and wrong passwords", async () => {
    await expect(mqtt.connectAsync(broker.tcpUrl, { clientId: "anon", reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
    await expect(mqtt.connectAsync(broker.tcpUrl, { clientId: "bad", username: "arm-01", password: "nope", reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it("lets a device publish only under its own subtree and read only its own commands", async () => {
    const dev = await connect("arm-01", "arm-01");
    await dev.publishAsync("fleet/plant-a/arm-01/telemetry", '{"seq":1}', { qos: 1 });
    expect(await server.deliveredBeforeMarker()).toEqual(["fleet/plant-a/arm-01/telemetry"]);
    await expect(dev.publishAsync("fleet/plant-a/arm-02/telemetry", '{"seq":1}', { qos: 1 })).rejects.toThrow(/not authorized/i);
    expect(await server.deliveredBeforeMarker()).toEqual([]);
    await dev.subscribeAsync("fleet/+/arm-01/cmd/+", { qos: 1 });
    const command = new Promise<string>((resolve) => dev.once("message", (topic) => resolve(topic)));
    const cmd = await connect("fleetscope", "fleetscope-commands");
    await cmd.publishAsync("fleet/plant-a/arm-02/cmd/stop", "{}", { qos: 1 });
    await cmd.publishAsync("fleet/plant-a/arm-01/cmd/stop", "{}", { qos: 1 });
    expect(await command).toBe("fleet/plant-a/arm-01/cmd/stop");
  });

  it("lets browsers read everything and publish nothing", async () => {
    const tab = await connect("fleetscope-browser", "fleetscope-ui-1");
    const live = new Promise<string>((resolve) => tab.once("message", (topic) => resolve(topic)));
    await tab.subscribeAsync("fleet/#", { qos: 1 });
    const dev = await connect("arm-01", "arm-01-b");
    await dev.publishAsync("fleet/plant-a/arm-01/status", "online", { qos: 1 });
    expect(await live).toBe("fleet/plant-a/arm-01/status");
    await expect(tab.publishAsync("fleet/plant-a/arm-01/cmd/stop", "{}", { qos: 1 })).rejects.toThrow(/not authorized/i);
    expect(await server.deliveredBeforeMarker()).toEqual(["fleet/plant-a/arm-01/status"]);
  });
});
