/**
 * Real fleets through the real bridge: each convention's devices, as their projects document
 * their payloads, published to a real broker (the embedded Aedes and a Mosquitto of the test's
 * own), end in the store with their convention, name, group, status and reason, and units.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { conventionsWith } from "../../lib/devices/builtin";
import type { Rule } from "../../lib/devices/conventions/rules";
import { SqliteStore } from "../../lib/store/sqlite/store";
import type { DeviceWithValues } from "../../lib/devices/model";
import { BROKERS, type TestBroker } from "../helpers/brokers";
import { V4_SUPER_CAR } from "../../lib/devices/conventions/fixtures/homie/spec-examples";
import { AM2301_SENSOR, HUZZAH_CONFIG, HUZZAH_SENSORS } from "../../lib/devices/conventions/fixtures/tasmota/discovery";
import { waitFor } from "../helpers/wait-for";
import { AQARA_WSDCGQ11LM_STATE, COORDINATOR, Z2M_TEST_WEATHER_SENSOR } from "../../lib/devices/conventions/fixtures/zigbee2mqtt/bridge-devices";
import { HA_DOCS_DEVICE, Z2M_DISCOVERY } from "../../lib/devices/conventions/fixtures/homeassistant/configs";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-conventions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

type Message = { topic: string; payload: string | Buffer; retain?: boolean; qos?: 0 | 1 };

const RULE: Rule = {
  name: "plant",
  pattern: "plant/{site}/line/{line}/{device}/#",
  group: "{site}",
  name_from: "{device}",
  fields: [{ topic: "telemetry", path: "$.motor.temp", name: "temp", unit: "°C" }],
  status: { topic: "status", online: ["up"], offline: ["down"] },
} as Rule;

const huzzahTopic = String(HUZZAH_CONFIG.t);
const SCENARIOS: { name: string; messages: Message[]; device: (ds: DeviceWithValues[]) => DeviceWithValues | undefined; expect: Record<string, unknown> }[] = [
  {
    name: "demo",
    messages: [
      { topic: "fleet/lab/arm-77/status", payload: "online", retain: true, qos: 1 },
      { topic: "fleet/lab/arm-77/telemetry", payload: JSON.stringify({ seq: 1, temp: 40.5 }) },
    ],
    device: (ds) => ds.find((d) => d.id === "arm-77"),
    expect: { convention: "demo", name: "arm-77", group: "lab", status: "online", statusReason: "status online", fields: ["temp"] },
  },
  {
    name: "homie 4 (the spec's super-car)",
    messages: V4_SUPER_CAR.map(([topic, payload]) => ({ topic, payload, retain: true, qos: 1 as const })),
    device: (ds) => ds.find((d) => d.id === "homie.super-car"),
    expect: { status: "online", statusReason: "Homie $state ready", values: { "engine.temperature": { value: 21.5, unit: "°C" } } },
  },
  {
    name: "tasmota (its own discovery, then LWT and SENSOR)",
    messages: [
      { topic: `tasmota/discovery/${HUZZAH_CONFIG.mac}/config`, payload: JSON.stringify(HUZZAH_CONFIG), retain: true, qos: 1 },
      { topic: `tasmota/discovery/${HUZZAH_CONFIG.mac}/sensors`, payload: JSON.stringify(HUZZAH_SENSORS), retain: true, qos: 1 },
      { topic: `tele/${huzzahTopic}/LWT`, payload: "Online", retain: true, qos: 1 },
      { topic: `tele/${huzzahTopic}/SENSOR`, payload: AM2301_SENSOR },
    ],
    device: (ds) => ds.find((d) => d.convention === "tasmota"),
    expect: { status: "online", values: { "AM2301.Temperature": { value: 21.7, unit: "°C" }, "AM2301.Humidity": { value: 75.8, unit: "%" } } },
  },
  {
    name: "zigbee2mqtt, also announced by its Home Assistant discovery: one device",
    messages: [
      { topic: "zigbee2mqtt/bridge/state", payload: JSON.stringify({ state: "online" }), retain: true, qos: 1 },
      { topic: "zigbee2mqtt/bridge/devices", payload: JSON.stringify([COORDINATOR, Z2M_TEST_WEATHER_SENSOR]), retain: true, qos: 1 },
      ...Z2M_DISCOVERY.map((c) => ({ topic: c.topic, payload: JSON.stringify(c.payload), retain: true, qos: 1 as const })),
      { topic: "zigbee2mqtt/weather_sensor/availability", payload: JSON.stringify({ state: "online" }), retain: true, qos: 1 },
      { topic: "zigbee2mqtt/weather_sensor", payload: JSON.stringify(AQARA_WSDCGQ11LM_STATE) },
    ],
    device: (ds) => {
      // Not two devices: Home Assistant's discovery of it names the same IEEE address.
      const both = ds.filter((d) => d.name === "weather_sensor");
      return both.length === 1 ? both[0] : undefined;
    },
    expect: {
      id: "z2m.0x0017880104e45522",
      convention: "zigbee2mqtt",
      status: "online",
      values: { temperature: { value: AQARA_WSDCGQ11LM_STATE.temperature, unit: "°C" }, humidity: { unit: "%" } },
      meta: { model: "WSDCGQ11LM", maker: "Aqara" },
    },
  },
  {
    name: "home assistant discovery (the docs' device form)",
    messages: [
      { topic: HA_DOCS_DEVICE.topic, payload: JSON.stringify(HA_DOCS_DEVICE.payload), retain: true, qos: 1 },
      { topic: HA_DOCS_DEVICE.payload.state_topic, payload: JSON.stringify({ temperature: 23.2, humidity: 48 }) },
    ],
    device: (ds) => ds.find((d) => d.convention === "homeassistant" && d.name === "Kitchen"),
    // No availability topic in its config: nothing says whether it is up, so it stays unknown.
    expect: { status: "unknown", meta: { maker: "Bla electronics", model: "xya" }, values: { some_unique_component_id1: { value: 23.2, unit: "°C" }, some_unique_id2: { value: 48, unit: "%" } } },
  },
  {
    name: "a user's own rule",
    messages: [
      { topic: "plant/berlin/line/3/press-7/status", payload: "up", retain: true, qos: 1 },
      { topic: "plant/berlin/line/3/press-7/telemetry", payload: JSON.stringify({ motor: { temp: 55.25 } }) },
    ],
    device: (ds) => ds.find((d) => d.convention === "rule:plant"),
    expect: { name: "press-7", group: "berlin", status: "online", values: { temp: { value: 55.25, unit: "°C" } } },
  },
];

describe.each(BROKERS)("conventions through the bridge on %s", (_name, startBroker) => {
  let broker: TestBroker;
  let store: SqliteStore;
  let bridge: Bridge;

  beforeAll(async () => {
    broker = await startBroker();
    store = new SqliteStore(join(dir, `conventions-${n++}.db`));
    bridge = new Bridge({
      url: broker.tcpUrl,
      store,
      clientId: `fleetscope-conventions-test-${n++}`,
      spoolPath: join(dir, `spool-${n++}.db`),
      conventions: conventionsWith([RULE]),
    });
    await bridge.start();
    const client = await mqtt.connectAsync(broker.tcpUrl, { clientId: `conventions-pub-${n++}` });
    try {
      for (const s of SCENARIOS) for (const m of s.messages) await client.publishAsync(m.topic, m.payload, { qos: m.qos ?? 1, retain: m.retain ?? false });
    } finally {
      await client.endAsync();
    }
    const total = SCENARIOS.reduce((sum, s) => sum + s.messages.length, 0);
    await waitFor(`${total} messages stored`, () => bridge.getStats().stored >= total);
  });
  afterAll(async () => {
    // Retained messages must not outlive the test on the broker (an empty one deletes).
    const client = await mqtt.connectAsync(broker.tcpUrl, { clientId: `conventions-clean-${n++}` });
    for (const s of SCENARIOS) for (const m of s.messages) if (m.retain) await client.publishAsync(m.topic, "", { qos: 1, retain: true });
    await client.endAsync();
    await bridge?.stop();
    await store?.close();
    await broker?.stop();
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: the device is stored with its convention, status, reason and units", async (_n, s) => {
    const devices = await store.listDevices();
    const d = s.device(devices);
    expect(d, `devices: ${devices.map((x) => `${x.id} (${x.convention})`).join(", ")}`).toBeDefined();
    expect(d).toMatchObject(s.expect);
    // Every id is URL-safe as it is: the device page's link needs no more than encodeURIComponent's identity.
    expect(encodeURIComponent(d!.id)).toBe(d!.id);
    if (d!.status !== "unknown") expect(d!.since).toEqual(expect.any(Number));
  });

  it("counts what each convention read", () => {
    const counts = new Map(bridge.getStats().conventions.map((c) => [c.id, c]));
    expect(counts.get("homie")!.messages).toBeGreaterThanOrEqual(V4_SUPER_CAR.length);
    expect(counts.get("rule:plant")!.messages).toBeGreaterThanOrEqual(2);
  });
});
