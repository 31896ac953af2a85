/**
 * Alerts end to end on the real parts: the embedded broker, the bridge, a SQLite store, the alert
 * service and a webhook receiver on a local port. A demo arm (the demo convention's status topic
 * with an `offline` Last Will, as lib/sim publishes it) goes over a threshold with hysteresis and
 * `for`, dies while firing, the service restarts, and the arm comes back cool.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GROUPING } from "../../lib/alerts/grouping";
import { alertRuleSchema } from "../../lib/alerts/rule";
import { SIGNATURE_HEADER, signBody } from "../../lib/alerts/signature";
import type { Transition } from "../../lib/alerts/state";
import type { WebhookPayload } from "../../lib/alerts/webhook";
import { AlertService } from "../../lib/alerting/service";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startAedes, type TestBroker } from "../helpers/brokers";
import { WebhookReceiver } from "../helpers/webhook-receiver";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-alerts-"));
const SECRET = "webhook-secret";
const RULE = "hot-motor";
const DEVICE = "arm-77";
const topic = (leaf: string) => `fleet/lab/${DEVICE}/${leaf}`;

/** Resolves with the first transition of the rule on the device into `to` that the service commits. */
function committedTransition(service: AlertService, to: Transition["to"]): Promise<Transition> {
  return new Promise((resolve) => {
    const check = ({ transitions }: { transitions: Transition[] }) => {
      const t = transitions.find((x) => x.rule === RULE && x.device === DEVICE && x.to === to);
      if (!t) return;
      service.off("committed", check);
      resolve(t);
    };
    service.on("committed", check);
  });
}

/** Resolves once the bridge has committed `count` messages in all. */
function stored(bridge: Bridge, count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (bridge.getStats().stored < count) return;
      bridge.off("committed", check);
      resolve();
    };
    bridge.on("committed", check);
    check();
  });
}

describe("alerts on the bridge's stream, with a webhook receiver", () => {
  let broker: TestBroker;
  let store: SqliteStore;
  let bridge: Bridge;
  const receiver = new WebhookReceiver();
  let published = 0;

  beforeAll(async () => {
    broker = await startAedes();
    await receiver.start();
    store = new SqliteStore(join(dir, "alerts.db"));
    bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "alerts-test-bridge", spoolPath: join(dir, "spool.db"), flushIntervalMs: 10 });
    await bridge.start();
    const rule = alertRuleSchema.parse({ id: RULE, name: "Hot motor", kind: "threshold", devices: [DEVICE], field: "temp", op: "above", value: 80, clear: 70, forMs: 200, severity: "major" });
    await store.alerts.saveRule({ id: RULE, body: JSON.stringify(rule), createdAt: 1, createdBy: "admin", updatedAt: 1, updatedBy: "admin" });
  });
  afterAll(async () => {
    await bridge.stop();
    await store.close();
    await receiver.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const service = () =>
    new AlertService({
      store: store.alerts,
      devices: () => store.listDevices(),
      holder: "alerts-test",
      webhooks: [receiver.url],
      secret: SECRET,
      // A short group interval: the resolve goes out soon after the firing.
      grouping: { ...DEFAULT_GROUPING, groupIntervalMs: 100 },
      externalURL: "http://fleetscope.test",
      flushMs: 10,
    }).watchBridge(bridge);

  /** Publishes at QoS 1, so status and telemetry reach the bridge's stream in the order sent. */
  async function send(client: MqttClient, leaf: string, payload: string, retain = false) {
    await client.publishAsync(topic(leaf), payload, { qos: 1, retain });
    await stored(bridge, ++published);
  }
  const temp = (client: MqttClient, value: number) => send(client, "telemetry", JSON.stringify({ seq: published + 1, temp: value }));
  const arm = () => mqtt.connectAsync(broker.tcpUrl, { clientId: DEVICE, will: { topic: topic("status"), payload: Buffer.from("offline"), qos: 1, retain: true } });

  it("fires once after `for`, holds between clear and threshold, goes no-data (not resolved) when the arm dies, survives a restart, and resolves when it comes back cool", async () => {
    let alerts = service();
    await alerts.start();
    expect(alerts.isHolder).toBe(true);
    const client = await arm();
    await send(client, "status", "online", true);
    await temp(client, 60);

    // Over the threshold: pending, then firing once `for` (200 ms) has passed.
    const pending = committedTransition(alerts, "pending");
    const firing = committedTransition(alerts, "firing");
    await temp(client, 85.5);
    const p = await pending;
    const f = await firing;
    expect(f.at - p.at).toBeGreaterThanOrEqual(200);
    const [first] = await receiver.count(1);
    const payload = JSON.parse(first!.body) as WebhookPayload;
    expect(payload).toMatchObject({ version: "4", status: "firing", receiver: "fleetscope", externalURL: "http://fleetscope.test" });
    expect(payload.alerts).toHaveLength(1);
    expect(payload.alerts[0]).toMatchObject({ status: "firing", labels: { alertname: "Hot motor", rule: RULE, device: DEVICE, severity: "major", field: "temp" }, endsAt: "0001-01-01T00:00:00Z" });
    expect(first!.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signBody(SECRET, first!.body));

    // Between clear (70) and threshold (80): hysteresis keeps it firing.
    await temp(client, 75);
    await temp(client, 71);
    await alerts.idle();
    expect(alerts.state(RULE, DEVICE)?.status).toBe("firing");

    // The arm's connection dies: its Will says offline, and the alert has no data — still firing.
    const noData = committedTransition(alerts, "firing_no_data");
    client.stream.destroy();
    await noData;
    await stored(bridge, ++published); // the Will, stored
    const [episode] = (await store.alerts.listAlerts({ state: ["firing_no_data"], limit: 10 })).alerts;
    expect(episode).toMatchObject({ rule: RULE, device: DEVICE, severity: "major", endedAt: null });

    // A restart on the same store: the same alert is still firing, with no data, and nothing is sent again.
    await alerts.stop();
    alerts = service();
    await alerts.start();
    await alerts.idle();
    expect(alerts.state(RULE, DEVICE)?.status).toBe("firing_no_data");
    expect((await store.alerts.getAlert(episode!.id))?.state).toBe("firing_no_data");
    expect(receiver.posts).toHaveLength(1);

    // Back online and below clear: resolved, and one more POST saying so.
    const resolved = committedTransition(alerts, "resolved");
    const again = await arm();
    await send(again, "status", "online", true);
    await temp(again, 65);
    await resolved;
    const posts = await receiver.count(2);
    const last = JSON.parse(posts[1]!.body) as WebhookPayload;
    expect(last).toMatchObject({ version: "4", status: "resolved" });
    expect(last.alerts[0]).toMatchObject({ status: "resolved", labels: { rule: RULE, device: DEVICE } });
    expect(last.alerts[0]!.endsAt).not.toBe("0001-01-01T00:00:00Z");
    expect(posts[1]!.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signBody(SECRET, posts[1]!.body));

    // The episode's history and delivery log.
    const ended = await store.alerts.getAlert(episode!.id);
    expect(ended).toMatchObject({ state: "resolved", startedAt: p.at });
    const history = (await store.alerts.listTransitions({ episode: episode!.id, limit: 10 })).transitions.reverse();
    expect(history.map((t) => `${t.from}>${t.to}`)).toEqual(["normal>pending", "pending>firing", "firing>firing_no_data", "firing_no_data>resolved"]);
    await alerts.idle();
    const deliveries = await store.alerts.listDeliveries({ alert: episode!.id, limit: 10 });
    expect(deliveries.map((d) => [d.state, d.status])).toEqual([["delivered", "200"], ["delivered", "200"]]);
    await again.endAsync();
    await alerts.stop();
    expect(receiver.posts).toHaveLength(2);
  });
});
