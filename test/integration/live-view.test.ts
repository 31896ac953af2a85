/**
 * The live view's connection against each broker the README's table covers: a tab's MQTT.js over
 * the broker's WebSocket (clean session, as lib/browser/live-feed.ts connects), subscribed to what the
 * built-in conventions read at QoS 0 and to a page's watch at QoS 2, gets a device's messages
 * published over TCP; the watch is granted what the broker grants (RabbitMQ: QoS 1) and delivers
 * at the lower of that and the published QoS. Retained statuses reach a wildcard subscription on
 * Aedes and Mosquitto; RabbitMQ 3.10 delivers retained messages only to exact topics.
 */
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_CONVENTIONS } from "../../lib/devices/builtin";
import { Interpreter } from "../../lib/devices/registry";
import { deliveredQos, grantOf } from "../../lib/qos/granted";
import { THREE_BROKERS, type TestBroker } from "../helpers/brokers";

let n = 0;
const nextMessage = (client: MqttClient, topic: string) =>
  new Promise<IPublishPacket>((resolve) => {
    const on = (t: string, _p: Buffer, packet: IPublishPacket) => {
      if (t !== topic) return;
      client.off("message", on);
      resolve(packet);
    };
    client.on("message", on);
  });

describe.each(THREE_BROKERS)("the live view on %s", (name, startBroker) => {
  let broker: TestBroker;
  let device: MqttClient;
  const tabs: MqttClient[] = [];
  const site = `live-${process.pid}-${n++}`;
  const openTab = async () => {
    const tab = await mqtt.connectAsync(broker.wsUrl, { clientId: `fleetscope-ui-test-${n++}`, clean: true, reconnectPeriod: 0 });
    tabs.push(tab);
    await tab.subscribeAsync(new Interpreter(BUILT_IN_CONVENTIONS).filters(), { qos: 0 });
    return tab;
  };

  beforeAll(async () => {
    broker = await startBroker();
    device = await mqtt.connectAsync(broker.tcpUrl, { clientId: `live-arm-${n++}`, clean: true });
  });
  afterAll(async () => {
    // Nothing retained is left behind, on any broker.
    await device?.publishAsync(`fleet/${site}/arm-01/status`, "", { qos: 1, retain: true });
    await device?.endAsync();
    await Promise.all(tabs.map((t) => t.endAsync(true)));
    await broker?.stop();
  });

  it("gets a device's telemetry as it is published", async () => {
    const tab = await openTab();
    const topic = `fleet/${site}/arm-01/telemetry`;
    const got = nextMessage(tab, topic);
    await device.publishAsync(topic, JSON.stringify({ seq: 1, temp: 21.5 }), { qos: 0 });
    const packet = await got;
    expect(JSON.parse(packet.payload.toString())).toEqual({ seq: 1, temp: 21.5 });
  });

  it("has a QoS 2 watch granted what the broker grants, its messages delivered at no more", async () => {
    const tab = await openTab();
    const [grant] = await tab.subscribeAsync(`fleet/${site}/#`, { qos: 2 });
    const max = broker.maxQos ?? 2;
    expect(grantOf(2, grant!.qos)).toMatchObject({ granted: max, downgraded: max < 2 });
    const topic = `fleet/${site}/arm-01/cmd/stop`;
    const got = nextMessage(tab, topic);
    await device.publishAsync(topic, JSON.stringify({ id: "c1", args: {} }), { qos: 2 });
    expect((await got).qos).toBe(deliveredQos(2, max));
  });

  it(`sends a retained status to a new tab's wildcard subscription ${name === "RabbitMQ" ? "only for its exact topic" : "at once"}`, async () => {
    const topic = `fleet/${site}/arm-01/status`;
    await device.publishAsync(topic, "online", { qos: 1, retain: true });
    const tab = await mqtt.connectAsync(broker.wsUrl, { clientId: `fleetscope-ui-test-${n++}`, clean: true, reconnectPeriod: 0 });
    tabs.push(tab);
    const retained: string[] = [];
    tab.on("message", (t, _p, packet) => packet.retain && retained.push(t));
    await tab.subscribeAsync(`fleet/${site}/+/status`, { qos: 1 });
    // A live message published after the SUBACK comes after what the subscription was sent at once.
    const marker = `fleet/${site}/marker/status`;
    const markerIn = nextMessage(tab, marker);
    await device.publishAsync(marker, "marker", { qos: 1 });
    await markerIn;
    expect(retained).toEqual(name === "RabbitMQ" ? [] : [topic]);
    // The exact topic gets it on every broker.
    const exact = nextMessage(tab, topic);
    await tab.subscribeAsync(topic, { qos: 1 });
    expect((await exact).retain).toBe(true);
  });
});
