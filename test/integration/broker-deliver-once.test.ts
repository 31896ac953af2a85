/**
 * The embedded broker on its durable persistence delivers every message to every subscriber, even
 * one overtaken by a message published after it (lib/broker/deliver-once.ts): a retained QoS 1
 * message waits for two commits before its delivery, and QoS 0 messages from another publisher,
 * numbered after it, reach the subscribers first. Aedes' own duplicate check then dropped the
 * earlier message for the bridge-like persistent session and the tab-like clean one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, expect, it } from "vitest";
import { openAccess } from "../../lib/broker/access";
import { startEmbeddedBroker } from "../../lib/broker/embedded";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-deliver-once-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 300;

/**
 * Every payload `client` receives, and a promise for the markers each publisher sends last: one
 * publisher's messages reach a subscriber in order, but the two publishers' do not, so the QoS 1
 * marker alone can arrive before the last QoS 0 messages.
 */
function received(client: MqttClient, markers: string[]): { payloads: string[]; done: Promise<void> } {
  const payloads: string[] = [];
  const waiting = new Set(markers);
  const done = new Promise<void>((resolve) =>
    client.on("message", (topic, payload) => {
      if (!waiting.has(topic)) return void payloads.push(payload.toString());
      waiting.delete(topic);
      if (waiting.size === 0) resolve();
    }),
  );
  return { payloads, done };
}

it("delivers a retained QoS 1 message overtaken by later QoS 0 messages to persistent and clean subscribers alike", async () => {
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess, persistence: { kind: "sqlite", file: join(dir, "broker.db") } });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  const bridge = await mqtt.connectAsync(url, { clientId: "like-the-bridge", clean: false });
  const tab = await mqtt.connectAsync(url, { clientId: "like-a-tab", clean: true });
  const markers = ["order/marker/retained-qos1", "order/marker/qos0"];
  const got = { bridge: received(bridge, markers), tab: received(tab, markers) };
  await bridge.subscribeAsync(["order/#"], { qos: 1 });
  await tab.subscribeAsync(["order/#"], { qos: 0 });
  const slow = await mqtt.connectAsync(url, { clientId: "retained-qos1" });
  const fast = await mqtt.connectAsync(url, { clientId: "qos0" });
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    acks.push(slow.publishAsync(`order/status/${i % 10}`, `r${i}`, { qos: 1, retain: true }));
    fast.publish("order/telemetry", `t${i}`, { qos: 0 });
    // A turn apart, so the QoS 0 messages land while the retained one is between its commits.
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(acks);
  await slow.publishAsync("order/marker/retained-qos1", "end", { qos: 1 });
  fast.publish("order/marker/qos0", "end", { qos: 0 });
  await Promise.all([got.bridge.done, got.tab.done]);

  const expected = Array.from({ length: ROUNDS }, (_, i) => [`r${i}`, `t${i}`]).flat().sort();
  for (const [who, { payloads }] of Object.entries(got)) expect([...payloads].sort(), `what ${who} received`).toEqual(expected);

  await Promise.all([bridge, tab, slow, fast].map((c) => c.endAsync()));
  await broker.close();
});
