/**
 * Simulated Homie 5 devices against the embedded broker: the `$state` lifecycle (init → ready,
 * `lost` as the Will, `disconnected` on a clean stop), the retained `$description` and values,
 * and a settable property answering `/set` with its new value.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAedes, type TestBroker } from "../../../test/helpers/brokers";
import { recorder, type TextMessage as Msg } from "../../../test/helpers/recorder";
import { ConventionFleet } from "./index";

const BASE = "homie/5/thermo-01";

describe("Homie 5 devices", () => {
  let broker: TestBroker;
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
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
  });

  async function start(devices: number) {
    const live = await recorder(broker.tcpUrl, "homie/5/#");
    clients.push(live.client);
    fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "homie", devices, rateHz: 20, seed: 1 });
    await fleet.start();
    return live;
  }

  it("says init, describes itself, publishes its values, then ready; all retained", async () => {
    const live = await start(2);
    await live.first("$state ready", (m) => m.topic === `${BASE}/$state` && m.text === "ready");
    const order = live.got.filter((m) => m.topic.startsWith(`${BASE}/`)).map((m) => (m.topic === `${BASE}/$state` ? m.text : m.topic.slice(BASE.length + 1)));
    expect(order.slice(0, 2)).toEqual(["init", "$description"]);
    expect(order.indexOf("ready")).toBeGreaterThan(order.indexOf("switch/on"));

    // A controller arriving later gets everything from the retained messages.
    const late = await recorder(broker.tcpUrl, `${BASE}/#`);
    clients.push(late.client);
    const retained = (topic: string) => (m: Msg) => m.topic === topic && m.retain;
    const description = await late.first("retained $description", retained(`${BASE}/$description`));
    expect(JSON.parse(description.text)).toEqual({
      homie: "5.0",
      version: 1,
      name: "Sim thermostat 01",
      nodes: {
        sensor: {
          name: "Sensor",
          properties: {
            temperature: { name: "Temperature", datatype: "float", unit: "°C" },
            humidity: { datatype: "integer", unit: "%" },
          },
        },
        switch: { properties: { on: { datatype: "boolean", settable: true, retained: true } } },
      },
    });
    expect((await late.first("retained $state", retained(`${BASE}/$state`))).text).toBe("ready");
    const temperature = await late.first("retained temperature", retained(`${BASE}/sensor/temperature`));
    expect(Number(temperature.text)).toBeGreaterThan(10);
    const humidity = await late.first("retained humidity", retained(`${BASE}/sensor/humidity`));
    expect(humidity.text).toMatch(/^\d+$/);
    expect((await late.first("retained switch/on", retained(`${BASE}/switch/on`))).text).toBe("false");
    // The second device is a device of its own.
    await live.first("thermo-02 ready", (m) => m.topic === "homie/5/thermo-02/$state" && m.text === "ready");

    // Values drift at the fleet's rate.
    const from = live.got.length;
    await live.first("a new temperature", (m) => m.topic === `${BASE}/sensor/temperature`, from);
  });

  it("answers /set with the new value, ignores a non-boolean, and says disconnected on a clean stop", async () => {
    const live = await start(1);
    let from = live.got.length;
    live.client.publish(`${BASE}/switch/on/set`, "on"); // not a Homie boolean
    live.client.publish(`${BASE}/switch/on/set`, "true");
    const on = await live.first("switch/on true", (m) => m.topic === `${BASE}/switch/on`, from);
    expect(on.text).toBe("true");

    from = live.got.length;
    await fleet!.stop();
    fleet = null;
    expect((await live.first("$state after stop", (m) => m.topic === `${BASE}/$state`, from)).text).toBe("disconnected");
    const late = await recorder(broker.tcpUrl, `${BASE}/#`);
    clients.push(late.client);
    expect((await late.first("retained switch/on", (m) => m.topic === `${BASE}/switch/on`)).text).toBe("true");
    expect((await late.first("retained $state", (m) => m.topic === `${BASE}/$state`)).text).toBe("disconnected");
  });

  it("has the broker say lost when its connection drops", async () => {
    const live = await start(1);
    await live.first("ready", (m) => m.topic === `${BASE}/$state` && m.text === "ready");
    const from = live.got.length;
    // Taking over its client id drops the device without a DISCONNECT: the Will goes out.
    const takeover = await mqtt.connectAsync(broker.tcpUrl, { clientId: "fleetscope-sim-homie-thermo-01" });
    expect((await live.first("the Will", (m) => m.topic === `${BASE}/$state`, from)).text).toBe("lost");
    await takeover.endAsync();
    await live.first("ready again after reconnecting", (m) => m.topic === `${BASE}/$state` && m.text === "ready", from);
  });
});
