/**
 * The simulated Zigbee2MQTT bridge against the embedded broker: one connection for all its
 * devices, the retained bridge state and device list in the bridge's shape, availability, state
 * JSON, and `/set` requests (also to a friendly name holding `/`) answered with the full state.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAedes, type TestBroker } from "../../../test/helpers/brokers";
import type { EmbeddedBroker } from "../../broker/embedded";
import { recorder, type TextMessage as Msg } from "../../../test/helpers/recorder";
import { ConventionFleet } from "./index";

const retained = (topic: string) => (m: Msg) => m.topic === topic && m.retain;
const PLUG = "zigbee2mqtt/kitchen/plug 3";

interface ListedDevice {
  ieee_address: string;
  type: string;
  friendly_name: string;
  definition: { model: string; vendor: string; description: string; exposes: { type: string; name?: string; unit?: string; features?: Record<string, unknown>[] }[] } | null;
}

describe("Zigbee2MQTT bridge", () => {
  let broker: TestBroker & { embedded: EmbeddedBroker };
  let fleet: ConventionFleet | null;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = null;
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
  });

  async function start(devices: number) {
    fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "z2m", devices, rateHz: 20, seed: 5 });
    await fleet.start();
    const r = await recorder(broker.tcpUrl, "zigbee2mqtt/#");
    clients.push(r.client);
    return r;
  }

  it("is one connection announcing the bridge, its device list and each device's availability", async () => {
    const before = broker.embedded.clientCount();
    const r = await start(4);
    expect(broker.embedded.clientCount() - before).toBe(2); // the bridge and this test's client
    expect(JSON.parse((await r.first("bridge state", retained("zigbee2mqtt/bridge/state"))).text)).toEqual({ state: "online" });

    const list = JSON.parse((await r.first("device list", retained("zigbee2mqtt/bridge/devices"))).text) as ListedDevice[];
    expect(list.map((d) => [d.type, d.friendly_name])).toEqual([
      ["Coordinator", "Coordinator"],
      ["EndDevice", "sensor 1"],
      ["EndDevice", "living room/sensor 2"],
      ["Router", "kitchen/plug 3"],
      ["EndDevice", "sensor 4"],
    ]);
    expect(list[0]!.definition).toBeNull();
    const sensor = list[2]!;
    expect(sensor.ieee_address).toMatch(/^0x00158d00[0-9a-f]{8}$/);
    expect(sensor.definition).toMatchObject({ model: "WSDCGQ11LM", vendor: "Aqara" });
    const units = Object.fromEntries(sensor.definition!.exposes.map((e) => [e.name, e.unit]));
    expect(units).toMatchObject({ temperature: "°C", humidity: "%", pressure: "hPa", battery: "%", linkquality: "lqi" });
    const plugSwitch = list[3]!.definition!.exposes.find((e) => e.type === "switch");
    expect(plugSwitch?.features).toEqual([
      expect.objectContaining({ type: "binary", name: "state", property: "state", value_on: "ON", value_off: "OFF", value_toggle: "TOGGLE", access: 7 }),
    ]);
    expect(new Set(list.map((d) => d.ieee_address)).size).toBe(list.length);

    for (const name of ["sensor 1", "living room/sensor 2", "kitchen/plug 3", "sensor 4"]) {
      expect(JSON.parse((await r.first(`${name} availability`, retained(`zigbee2mqtt/${name}/availability`))).text)).toEqual({ state: "online" });
    }
    const state = JSON.parse((await r.first("a sensor's state", (m) => m.topic === "zigbee2mqtt/living room/sensor 2")).text);
    expect(Object.keys(state).sort()).toEqual(["battery", "humidity", "linkquality", "pressure", "temperature", "voltage"]);
    expect(state).toMatchObject({ battery: 97, voltage: 3005 });
  });

  it("answers /set and /set/<attribute> on a name with a slash with the full state", async () => {
    const r = await start(3);
    await r.first("the plug's state", (m) => m.topic === PLUG);
    let from = r.got.length;
    r.client.publish(`${PLUG}/set`, JSON.stringify({ state: "OFF" }));
    const off = JSON.parse((await r.first("state OFF", (m) => m.topic === PLUG && JSON.parse(m.text).state === "OFF", from)).text);
    expect(off).toMatchObject({ state: "OFF", power: 0, current: 0 });
    expect(Object.keys(off).sort()).toEqual(["current", "energy", "linkquality", "power", "state", "voltage"]);

    from = r.got.length;
    r.client.publish(`${PLUG}/set/state`, "toggle");
    await r.first("state ON again", (m) => m.topic === PLUG && JSON.parse(m.text).state === "ON", from);

    // A request to a sensor, or to no listed name, changes nothing and is not echoed as a device.
    from = r.got.length;
    r.client.publish("zigbee2mqtt/kitchen/set", JSON.stringify({ state: "OFF" }));
    r.client.publish("zigbee2mqtt/sensor 1/set", JSON.stringify({ state: "OFF" }));
    r.client.publish(`${PLUG}/set`, JSON.stringify({ state: "OFF" }));
    await r.first("the plug's OFF", (m) => m.topic === PLUG && JSON.parse(m.text).state === "OFF", from);
    const after = r.got.slice(from);
    expect(after.some((m) => m.topic === "zigbee2mqtt/kitchen")).toBe(false);
    expect(after.filter((m) => m.topic === "zigbee2mqtt/sensor 1").some((m) => "state" in JSON.parse(m.text))).toBe(false);
  });

  it("has the broker say the bridge is offline when it drops, and says so itself on a clean stop", async () => {
    const r = await start(1);
    await r.first("the retained online", retained("zigbee2mqtt/bridge/state"));
    let from = r.got.length;
    const takeover = await mqtt.connectAsync(broker.tcpUrl, { clientId: "fleetscope-sim-zigbee2mqtt" });
    const will = await r.first("the Will", (m) => m.topic === "zigbee2mqtt/bridge/state", from);
    expect(JSON.parse(will.text)).toEqual({ state: "offline" });
    await takeover.endAsync();
    await r.first("online again", (m) => m.topic === "zigbee2mqtt/bridge/state" && JSON.parse(m.text).state === "online", from);

    from = r.got.length;
    await fleet!.stop();
    fleet = null;
    expect(JSON.parse((await r.first("offline on stop", (m) => m.topic === "zigbee2mqtt/bridge/state", from)).text)).toEqual({ state: "offline" });
  });
});
