/**
 * The bridge as its own process (`npm run bridge`), killed with SIGKILL mid-stream and restarted
 * with its client id, several times: every QoS 1 message must end up stored exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../helpers/mosquitto";
import { waitFor } from "../helpers/wait-for";

const N = 3000;

/** Publishes seq 1..count as QoS 1 in windows of 50, each window awaiting its PUBACKs. */
async function publishStream(topic: string, count: number): Promise<void> {
  const publisher = await mqtt.connectAsync(broker.tcpUrl, { clientId: `publisher-${topic}` });
  for (let i = 1; i <= count; i += 50) {
    const window = Array.from({ length: Math.min(50, count - i + 1) }, (_, k) => publisher.publishAsync(topic, JSON.stringify({ seq: i + k, temp: 20 + ((i + k) % 9) }), { qos: 1 }));
    await Promise.all(window);
  }
  await publisher.endAsync();
}
const KILLS = 3;
const TOPIC = "fleet/lab/crash-1/telemetry";

let broker: Mosquitto;
const dir = mkdtempSync(join(tmpdir(), "fleetscope-crash-"));
const dbPath = join(dir, "crash.db");

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `npm run bridge`'s process and resolves once it has subscribed. */
async function startBridge(id = "crash-bridge", db = dbPath, group?: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "bin/bridge.ts"], {
    env: { ...process.env, MQTT_URL: broker.tcpUrl, DATABASE_URL: `file:${db}`, FLEETSCOPE_BRIDGE_ID: id, ...(group ? { FLEETSCOPE_BRIDGE_GROUP: group } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(`fleetscope bridge ${id}:`)) resolve();
    });
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.once("exit", (code) => reject(new Error(`bridge exited with ${code} before it was ready:\n${out}`)));
  });
  return proc;
}

it(`stores each of ${N} QoS 1 messages exactly once though the bridge is killed ${KILLS} times`, async () => {
  let bridge = await startBridge();
  const reader = new Database(dbPath, { readonly: true });
  const stored = () => (reader.prepare("SELECT count(*) AS n FROM messages WHERE topic = ?").get(TOPIC) as { n: number }).n;

  const publishing = publishStream(TOPIC, N);

  for (let k = 1; k <= KILLS; k++) {
    await waitFor(`${(k * N) / (KILLS + 2)} rows before kill ${k}`, () => stored() >= (k * N) / (KILLS + 2));
    const exited = once(bridge, "exit");
    bridge.kill("SIGKILL");
    await exited;
    bridge = await startBridge();
  }
  await publishing;

  await waitFor(`all ${N} messages stored`, () => stored() >= N, 60_000);
  const exited = once(bridge, "exit");
  bridge.kill("SIGTERM");
  await exited;

  const rows = reader.prepare("SELECT seq FROM messages WHERE topic = ? ORDER BY seq").all(TOPIC) as { seq: number }[];
  reader.close();
  expect(rows).toHaveLength(N);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
}, 120_000);

it("splits one stream across two bridges in a shared-subscription group, one killed and restarted mid-stream, storing each message once", async () => {
  const db = join(dir, "shared.db");
  const topic = "fleet/lab/shared-1/telemetry";
  let a = await startBridge("bridge-a", db, "fleetscope");
  const b = await startBridge("bridge-b", db, "fleetscope");
  const reader = new Database(db, { readonly: true });
  const stored = () => (reader.prepare("SELECT count(*) AS n FROM messages WHERE topic = ?").get(topic) as { n: number }).n;

  const publishing = publishStream(topic, N);
  await waitFor("a third of the stream stored", () => stored() >= N / 3);
  const exited = once(a, "exit");
  a.kill("SIGKILL");
  await exited;
  a = await startBridge("bridge-a", db, "fleetscope");
  await publishing;

  await waitFor(`all ${N} messages stored`, () => stored() >= N, 60_000);
  for (const p of [a, b]) {
    const gone = once(p, "exit");
    p.kill("SIGTERM");
    await gone;
  }
  const rows = reader.prepare("SELECT seq FROM messages WHERE topic = ? ORDER BY seq").all(topic) as { seq: number }[];
  reader.close();
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
}, 120_000);
