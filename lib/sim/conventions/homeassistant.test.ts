/**
 * Simulated Home Assistant MQTT-discovery devices against the embedded broker: the retained
 * discovery configs, availability (`online`, the `offline` Will, `offline` on a clean stop), the
 * state JSON the value templates read, and the relay obeying its command topic.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAedes, type TestBroker } from "../../../test/helpers/brokers";
import { recorder, type TextMessage as Msg } from "../../../test/helpers/recorder";
import { ConventionFleet } from "./index";

const retained = (topic: string) => (m: Msg) => m.topic === topic && m.retain;

describe("Home Assistant discovery devices", () => {
  let broker: TestBroker;
  let fleet: ConventionFleet | null;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startAedes();
    fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "ha", devices: 2, rateHz: 20, seed: 3 });
    await fleet.start();
  });
  afterAll(async () => {
    await fleet?.stop();
    await Promise.all(clients.map((c) => c.endAsync()));
    await broker.stop();
  });

  async function watch(...filters: string[]) {
    const r = await recorder(broker.tcpUrl, filters);
    clients.push(r.client);
    return r;
  }

  it("announces each device's entities in retained discovery configs", async () => {
    const r = await watch("homeassistant/#");
    const temperature = JSON.parse((await r.first("temperature config", retained("homeassistant/sensor/sim-node-01/temperature/config"))).text);
    const device = { identifiers: ["simha_node-01"], name: "Sim HA node 01", manufacturer: "Fleetscope", model: "Sim HA sensor", suggested_area: "Kitchen" };
    expect(temperature).toMatchObject({
      name: "Temperature",
      unique_id: "sim-node-01-temperature",
      state_topic: "simha/node-01/state",
      value_template: "{{ value_json.temperature }}",
      unit_of_measurement: "°C",
      device_class: "temperature",
      availability_topic: "simha/node-01/availability",
      device,
    });
    const humidity = JSON.parse((await r.first("humidity config", retained("homeassistant/sensor/sim-node-01/humidity/config"))).text);
    expect(humidity).toMatchObject({ value_template: "{{ value_json.humidity }}", unit_of_measurement: "%", device_class: "humidity", device });
    const relay = JSON.parse((await r.first("relay config", retained("homeassistant/switch/sim-node-01/relay/config"))).text);
    expect(relay).toMatchObject({
      command_topic: "simha/node-01/relay/set",
      state_topic: "simha/node-01/relay",
      payload_on: "ON",
      payload_off: "OFF",
      availability_topic: "simha/node-01/availability",
      device,
    });
    const other = JSON.parse((await r.first("node-02's config", retained("homeassistant/sensor/sim-node-02/temperature/config"))).text);
    expect(other.device).toMatchObject({ identifiers: ["simha_node-02"], suggested_area: "Living Room" });
  });

  it("is available, reports its state JSON, and obeys its relay's command topic", async () => {
    const r = await watch("simha/#");
    expect((await r.first("retained availability", retained("simha/node-01/availability"))).text).toBe("online");
    expect((await r.first("retained relay state", retained("simha/node-01/relay"))).text).toBe("OFF");
    const from = r.got.length;
    const state = JSON.parse((await r.first("a state message", (m) => m.topic === "simha/node-01/state", from)).text);
    expect(Object.keys(state).sort()).toEqual(["humidity", "temperature"]);
    expect(typeof state.temperature).toBe("number");

    const before = r.got.length;
    r.client.publish("simha/node-01/relay/set", "on"); // not payload_on: ignored
    r.client.publish("simha/node-01/relay/set", "ON");
    expect((await r.first("the relay's new state", (m) => m.topic === "simha/node-01/relay", before)).text).toBe("ON");
    expect(r.got.slice(before).some((m) => m.topic === "simha/node-02/relay")).toBe(false);
  });

  it("has the broker say offline when its connection drops, and says offline itself on a clean stop", async () => {
    const r = await watch("simha/+/availability");
    await r.first("online", (m) => m.topic === "simha/node-02/availability" && m.text === "online");
    let from = r.got.length;
    const takeover = await mqtt.connectAsync(broker.tcpUrl, { clientId: "fleetscope-sim-ha-node-02" });
    expect((await r.first("the Will", (m) => m.topic === "simha/node-02/availability", from)).text).toBe("offline");
    await takeover.endAsync();
    await r.first("online again", (m) => m.topic === "simha/node-02/availability" && m.text === "online", from);

    from = r.got.length;
    await fleet!.stop();
    fleet = null;
    await r.first("node-01 offline", (m) => m.topic === "simha/node-01/availability" && m.text === "offline", from);
    await r.first("node-02 offline", (m) => m.topic === "simha/node-02/availability" && m.text === "offline", from);
  });
});
