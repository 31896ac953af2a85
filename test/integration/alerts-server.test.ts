/**
 * Issue 19's "Done when" on the real server (`npm start`'s entry in a child process: embedded
 * broker, bridge, SQLite store, alert service) and a webhook receiver on a local port:
 * a threshold rule with hysteresis and `for: 10s` on `temp`, made through the API as the /alerts
 * form makes it (e2e/alerts.spec.ts drives the form); an arm pushed over it by a publish goes
 * pending, then firing, and the receiver gets one POST; the arm's connection killed while firing
 * makes it "firing, no data", not resolved; a server restart on the same store keeps the same
 * alert firing and sends nothing twice; the arm back and cool resolves it with a second POST.
 *
 * Needs the production build (`next build`), as every test that spawns server.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WebhookPayload } from "../../lib/alerts/webhook";
import { startServerProcess, type ServerProcess } from "../../bench/server-process";
import { WebhookReceiver } from "../helpers/webhook-receiver";

const DEVICE = "arm-dw1";
const topic = (leaf: string) => `fleet/done/${DEVICE}/${leaf}`;
const FOR_MS = 10_000;

const root = mkdtempSync(join(tmpdir(), "fleetscope-alerts-server-"));
const receiver = new WebhookReceiver();
const servers = new Set<ServerProcess>();

interface Server {
  ui: string;
  mqttUrl: string;
  stop(): Promise<void>;
}

/** The server entry on the same store each time (bench/server-process.ts: lab mode, no login). */
async function startServer(): Promise<Server> {
  const proc = await startServerProcess({
    DATABASE_URL: `file:${join(root, "fleet.db")}`,
    FLEETSCOPE_ANONYMOUS_DEVICES: "on",
    FLEETSCOPE_SIM_DEVICES: "0",
    FLEETSCOPE_BROKER_PERSISTENCE: "memory",
    FLEETSCOPE_ALERT_WEBHOOKS: receiver.url,
    // The resolve goes out a second after the firing's group was last sent, not 30 s.
    FLEETSCOPE_ALERT_GROUP_INTERVAL: "1s",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  servers.add(proc);
  const mqttUrl = await proc.ready;
  return { ui: `http://localhost:${proc.port}`, mqttUrl, stop: () => proc.stop() };
}

interface ApiAlert {
  id: string;
  rule: string;
  device: string;
  state: string;
  endedAt: number | null;
}

/** The device's alerts as GET /api/alerts answers them, newest first. */
async function alertsOf(s: Server): Promise<ApiAlert[]> {
  const res = await fetch(`${s.ui}/api/alerts?device=${DEVICE}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: ApiAlert[] }).alerts;
}

/** Polls the server (another process: no event to await) until `read` answers something. */
async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await read();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The device's newest alert, once it is in `state`. */
const alertIn = (s: Server, state: string, timeoutMs?: number) =>
  eventually(`the alert to be ${state}`, async () => {
    const [latest] = await alertsOf(s);
    return latest?.state === state ? latest : undefined;
  }, timeoutMs);

const arm = (s: Server) => mqtt.connectAsync(s.mqttUrl, { clientId: DEVICE, will: { topic: topic("status"), payload: Buffer.from("offline"), qos: 1, retain: true } });
let seq = 0;
const temp = (client: MqttClient, value: number) => client.publishAsync(topic("telemetry"), JSON.stringify({ seq: ++seq, temp: value }), { qos: 1 });
const statuses = () => receiver.posts.map((p) => (JSON.parse(p.body) as WebhookPayload).status);

beforeAll(async () => {
  await receiver.start();
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await receiver.stop();
  rmSync(root, { recursive: true, force: true });
});

it("a threshold rule with hysteresis and for: 10s goes pending then firing with one POST, is 'firing, no data' when the arm dies, stays firing over a restart with nothing sent twice, and resolves with a second POST", async () => {
  let server = await startServer();
  const made = await fetch(`${server.ui}/api/alert-rules`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Hot arm", kind: "threshold", devices: [DEVICE], field: "temp", op: "above", value: 80, clear: 70, forMs: "10s", severity: "major" }),
  });
  expect(made.status).toBe(201);
  const rule = ((await made.json()) as { id: string }).id;

  const client = await arm(server);
  client.on("error", () => undefined);
  await client.publishAsync(topic("status"), "online", { qos: 1, retain: true });
  await temp(client, 60);
  await temp(client, 85.5);
  const pending = await alertIn(server, "pending");
  expect(pending.rule).toBe(rule);
  // Between clear and threshold while pending: still pending (the condition holds by hysteresis).
  await temp(client, 75);
  const firing = await alertIn(server, "firing", FOR_MS + 20_000);
  expect(firing.id).toBe(pending.id);
  const [first] = await receiver.count(1);
  const payload = JSON.parse(first!.body) as WebhookPayload;
  expect(payload).toMatchObject({ version: "4", status: "firing" });
  expect(payload.alerts[0]).toMatchObject({ status: "firing", labels: { rule, device: DEVICE, field: "temp", severity: "major" } });
  const detail = (await (await fetch(`${server.ui}/api/alerts/${firing.id}`)).json()) as { transitions: { from: string; to: string; at: number }[] };
  const toFiring = detail.transitions.find((t) => t.to === "firing")!;
  const toPending = detail.transitions.find((t) => t.to === "pending")!;
  expect(toFiring.at - toPending.at).toBeGreaterThanOrEqual(FOR_MS);

  // The arm's connection dies: its Will says offline; the alert has no data and is not resolved.
  client.stream.destroy();
  const noData = await alertIn(server, "firing_no_data");
  expect(noData.id).toBe(firing.id);
  expect(noData.endedAt).toBeNull();

  // Restart on the same store: the same alert, still firing with no data; nothing sent again.
  await server.stop();
  server = await startServer();
  const after = (await alertsOf(server))[0]!;
  expect(after).toMatchObject({ id: firing.id, state: "firing_no_data", endedAt: null });

  // Back, and below clear: resolved, and the receiver's second POST says so (a firing sent again
  // after the restart would arrive before it: the outbox is in order per receiver).
  const back = await arm(server);
  back.on("error", () => undefined);
  await back.publishAsync(topic("status"), "online", { qos: 1, retain: true });
  await temp(back, 65);
  const resolved = await alertIn(server, "resolved");
  expect(resolved.id).toBe(firing.id);
  await receiver.count(2);
  expect(statuses()).toEqual(["firing", "resolved"]);
  await back.endAsync();
  // Both deliveries logged as delivered (the log is written once the receiver has answered).
  const log = await eventually("both deliveries logged", async () => {
    const d = ((await (await fetch(`${server.ui}/api/alerts/${firing.id}`)).json()) as { deliveries: { state: string; alertStatus: string }[] }).deliveries;
    return d.every((x) => x.state === "delivered") && d.length >= 2 ? d : undefined;
  });
  expect(log.map((d) => `${d.alertStatus}:${d.state}`).sort()).toEqual(["firing:delivered", "resolved:delivered"]);
  await server.stop();
  expect(receiver.posts).toHaveLength(2);
}, 120_000);
