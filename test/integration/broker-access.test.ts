/**
 * The embedded broker's access control against real clients: browsers with tokens over
 * WebSocket, devices with credentials over TCP. "Nothing is delivered" is proven by a service
 * subscriber on `#` (test/helpers/delivered.ts).
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { issueBrokerToken } from "../../lib/auth/broker-token";
import { fleetAccess, type FleetAccess } from "../../lib/broker/access";
import { BrowserConnections } from "../../lib/broker/browser-connections";
import { DeviceCredentials } from "../../lib/config/device-credentials";
import { serviceCredentials } from "../../lib/broker/service-credentials";
import { startAedes, type TestBroker } from "../helpers/brokers";
import { watchEverything, type Watcher } from "../helpers/delivered";

const DEVICE = { id: "arm-01", password: "arm-01-password" };
let broker: TestBroker;
let access: FleetAccess;
const logged: string[] = [];
const clients: MqttClient[] = [];
let service: Watcher;

async function connect(url: string, opts: mqtt.IClientOptions): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  c.on("error", () => undefined);
  clients.push(c);
  return c;
}

/** Resolves once the broker has closed `c` (a refused PUBLISH ends the connection in MQTT 3.1.1). */
const closed = (c: MqttClient) => new Promise<void>((r) => (c.connected ? c.once("close", () => r()) : r()));

beforeAll(async () => {
  access = fleetAccess({ devices: new DeviceCredentials().add(DEVICE.id, DEVICE.password), anonymousDevices: false, log: (l) => logged.push(l) });
  broker = await startAedes(access);
  service = await watchEverything(broker.tcpUrl, { ...serviceCredentials(), clientId: "test-service" });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await service.end();
  await broker.stop();
});

const token = (username: string, role: "viewer" | "operator" | "admin", now = Date.now()) => ({ username, password: issueBrokerToken({ username, role }, now).token });

describe("the embedded broker's access control", () => {
  it("refuses connections without credentials, with wrong ones, or with a forged or expired token", async () => {
    const before = access.refusals().connect;
    await expect(connect(broker.tcpUrl, { clientId: "nobody" })).rejects.toThrow(/Not authorized/i);
    await expect(connect(broker.tcpUrl, { clientId: "wrong", username: DEVICE.id, password: "not-the-password" })).rejects.toThrow(/Bad username or password/i);
    // The signature's first character, which carries data bits only: the last one of a base64url
    // string also holds padding bits, and changing only those forges nothing.
    const genuine = token("v", "admin").password;
    const at = genuine.lastIndexOf(".") + 1;
    const forged = genuine.slice(0, at) + (genuine[at] === "A" ? "B" : "A") + genuine.slice(at + 1);
    await expect(connect(broker.wsUrl, { clientId: "forged", username: "v", password: forged })).rejects.toThrow(/Bad username or password/i);
    await expect(connect(broker.wsUrl, { clientId: "expired", ...token("v", "viewer", Date.now() - 10 * 60_000) })).rejects.toThrow(/Bad username or password/i);
    await expect(connect(broker.wsUrl, { clientId: "borrowed", username: "someone-else", password: token("v", "viewer").password })).rejects.toThrow(/Bad username or password/i);
    expect(access.refusals().connect - before).toBe(5);
    expect(logged.some((l) => l.includes('connection of "nobody"'))).toBe(true);
  });

  it("lets a viewer's browser subscribe, but refuses its publish and delivers nothing", async () => {
    const viewer = await connect(broker.wsUrl, { clientId: "ui-viewer", ...token("vera", "viewer") });
    const granted = await viewer.subscribeAsync("fleet/#", { qos: 1 });
    expect(granted[0]!.qos).toBe(1);
    const gone = closed(viewer);
    viewer.publish("fleet/plant-a/arm-01/telemetry", JSON.stringify({ seq: 1, temp: 99 }), { qos: 0 });
    await gone;
    expect(await service.deliveredBeforeMarker()).toEqual([]);
    expect(logged.at(-1)).toBe('fleetscope: broker refused publish by "ui-viewer" (browser of vera (viewer)) to "fleet/plant-a/arm-01/telemetry": a viewer may not publish');
  });

  it("lets an operator's browser publish, except to command topics", async () => {
    const op = await connect(broker.wsUrl, { clientId: "ui-op", ...token("otto", "operator") });
    await op.publishAsync("lab/note", "hello", { qos: 1 });
    expect(await service.deliveredBeforeMarker()).toEqual(["lab/note"]);
    const gone = closed(op);
    op.publish("fleet/plant-a/arm-01/cmd/stop", JSON.stringify({ id: "x", args: {} }), { qos: 0 });
    await gone;
    expect(await service.deliveredBeforeMarker()).toEqual([]);
  });

  it("lets a device publish under its own subtree only, and subscribe only to its own commands", async () => {
    const dev = await connect(broker.tcpUrl, { clientId: "arm-01-conn", username: DEVICE.id, password: DEVICE.password });
    await dev.publishAsync("fleet/plant-a/arm-01/telemetry", JSON.stringify({ seq: 1 }), { qos: 1 });
    expect(await service.deliveredBeforeMarker()).toEqual(["fleet/plant-a/arm-01/telemetry"]);
    const [own] = await dev.subscribeAsync("fleet/+/arm-01/cmd/+", { qos: 2 });
    expect(own!.qos).toBe(2);
    // [MQTT-3.9.3-2]: refused with 0x80 in the SUBACK (MQTT.js rejects on it); the connection stays.
    await expect(dev.subscribeAsync("fleet/+/arm-02/cmd/+", { qos: 2 })).rejects.toThrow(/Subscribe error/);
    expect(dev.connected).toBe(true);
    const gone = closed(dev);
    dev.publish("fleet/plant-a/arm-02/telemetry", JSON.stringify({ seq: 1, temp: -40 }), { qos: 0 });
    await gone;
    expect(await service.deliveredBeforeMarker()).toEqual([]);
    expect(logged.filter((l) => l.includes('"arm-01-conn" (device arm-01)'))).toHaveLength(2);
    expect(logged.some((l) => l.includes('subscription by "arm-01-conn" (device arm-01) to "fleet/+/arm-02/cmd/+"'))).toBe(true);
    expect(logged.some((l) => l.includes('publish by "arm-01-conn" (device arm-01) to "fleet/plant-a/arm-02/telemetry"'))).toBe(true);
  });

  it("logs hostile topics as inert text", async () => {
    const dev = await connect(broker.tcpUrl, { clientId: "arm-01-evil", username: DEVICE.id, password: DEVICE.password });
    const gone = closed(dev);
    dev.publish("x/\u202Etxt.exe\n<script>", "p", { qos: 0 });
    await gone;
    const line = logged.at(-1)!;
    expect(line).toContain('"x/\\u202etxt.exe\\n<script>"');
    expect(line).not.toMatch(/[\u202e\n]/);
  });
});

describe("anonymous devices, when allowed", () => {
  let open: TestBroker;
  beforeAll(async () => {
    open = await startAedes(fleetAccess({ devices: new DeviceCredentials(), anonymousDevices: true, log: () => undefined }));
  });
  afterAll(() => open.stop());

  it("connect without credentials, publish telemetry, and may not send commands", async () => {
    const anon = await connect(open.tcpUrl, { clientId: "anon-1" });
    await anon.publishAsync("fleet/lab/arm-99/telemetry", "{}", { qos: 1 });
    await expect(anon.subscribeAsync("fleet/+/+/telemetry", { qos: 0 })).rejects.toThrow(/Subscribe error/);
    const [cmds] = await anon.subscribeAsync("fleet/lab/arm-99/cmd/+", { qos: 2 });
    expect(cmds!.qos).toBe(2);
    const gone = closed(anon);
    anon.publish("fleet/lab/arm-01/cmd/stop", "{}", { qos: 0 });
    await gone;
  });
});

describe("with FLEETSCOPE_AUTH=off", () => {
  let lab: TestBroker;
  beforeAll(async () => {
    lab = await startAedes(fleetAccess({ devices: new DeviceCredentials().add(DEVICE.id, DEVICE.password), anonymousDevices: false, authOff: true, log: () => undefined }));
  });
  afterAll(() => lab.stop());

  it("clients without credentials may do anything, and devices with credentials stay in their subtree", async () => {
    const anon = await connect(lab.tcpUrl, { clientId: "lab-1" });
    const [all] = await anon.subscribeAsync("#", { qos: 1 });
    expect(all!.qos).toBe(1);
    await anon.publishAsync("fleet/lab/arm-01/cmd/stop", "{}", { qos: 1 });
    const dev = await connect(lab.tcpUrl, { clientId: "lab-dev", username: DEVICE.id, password: DEVICE.password });
    const gone = closed(dev);
    dev.publish("fleet/lab/arm-02/telemetry", "{}", { qos: 0 });
    await gone;
  });
});

describe("a change to a user", () => {
  it("ends that user's open browser connections, and only theirs", async () => {
    const browsers = new BrowserConnections();
    const b = await startAedes(fleetAccess({ devices: new DeviceCredentials(), anonymousDevices: false, browsers, log: () => undefined }));
    try {
      const mine = await connect(b.wsUrl, { clientId: "ui-otto", ...token("otto", "operator") });
      const theirs = await connect(b.wsUrl, { clientId: "ui-vera", ...token("vera", "viewer") });
      const gone = closed(mine);
      expect(browsers.end("otto")).toBe(1);
      await gone;
      expect(theirs.connected).toBe(true);
      expect(browsers.end("nobody")).toBe(0);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await b.stop();
    }
  });
});
