/**
 * 1,000 concurrent commands across 100 devices through the command service (recorded in a SQLite
 * store, QoS 2, confirmed by each device's reply), against a bare MQTT.js request/reply loop on the
 * same embedded broker, with the same devices: each replies at once, so what is measured is
 * Fleetscope's own cost. Round trip: from asking to the confirmed result. The two alternate, twice
 * each, and the better run of each counts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { openAccess } from "../lib/broker/access";
import { startEmbeddedBroker } from "../lib/broker/embedded";
import { CommandService } from "../lib/commands/service";
import { isFinal } from "../lib/commands/lifecycle";
import { SqliteStore } from "../lib/store/sqlite";
import type { BenchResult } from "./run";

const DEVICES = 100;
const COMMANDS = 1_000;
const ROUNDS = 2;
const SITE = "bench";
const deviceId = (i: number) => `dev-${String(i).padStart(3, "0")}`;

interface Run {
  p50: number;
  p95: number;
  perSecond: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function summarize(latencies: number[], wallMs: number): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), perSecond: (latencies.length / wallMs) * 1000 };
}

/** Devices that answer every command at once, ok, on its reply topic. */
async function startResponders(url: string): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: DEVICES }, async (_, i) => {
      const c = await mqtt.connectAsync(url, { clientId: `bench-dev-${i}` });
      c.on("message", (topic, payload) => {
        const { id } = JSON.parse(payload.toString()) as { id: string };
        c.publish(`${topic}/reply`, JSON.stringify({ id, ok: true, result: {} }), { qos: 1 });
      });
      await c.subscribeAsync(`fleet/${SITE}/${deviceId(i)}/cmd/+`, { qos: 2 });
      return c;
    }),
  );
}

async function throughService(url: string, dir: string, round: number): Promise<Run> {
  const store = new SqliteStore(join(dir, `commands-${round}.db`));
  const service = new CommandService({
    url,
    protocolVersion: 4,
    log: store.commands,
    device: async (id) => ({ id, site: SITE, status: "online", fields: ["joints.0"] }),
  });
  await service.start();
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const allDone = new Promise<void>((resolve) =>
    service.on("change", (c) => {
      if (!isFinal(c.state) || !started.has(c.id)) return;
      if (c.state !== "succeeded") throw new Error(`command ${c.id} ended ${c.state}: ${c.error}`);
      latencies.push(performance.now() - started.get(c.id)!);
      started.delete(c.id);
      if (latencies.length === COMMANDS) resolve();
    }),
  );
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: COMMANDS }, async (_, i) => {
      const asked = performance.now();
      const r = await service.submit({ device: deviceId(i % DEVICES), name: "move_joint", args: { joint: i % 6, angle: i % 90 }, actor: "bench" });
      if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
      started.set(r.command.id, asked);
    }),
  );
  await allDone;
  const run = summarize(latencies, performance.now() - t0);
  await service.stop();
  await store.close();
  return run;
}

async function bareLoop(url: string): Promise<Run> {
  const client = await mqtt.connectAsync(url, { clientId: `bench-bare-${randomUUID().slice(0, 8)}` });
  const waiting = new Map<string, () => void>();
  client.on("message", (_topic, payload) => {
    const { id } = JSON.parse(payload.toString()) as { id: string };
    waiting.get(id)?.();
  });
  await client.subscribeAsync(`fleet/${SITE}/+/cmd/+/reply`, { qos: 1 });
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: COMMANDS }, (_, i) => {
      const id = randomUUID();
      const asked = performance.now();
      return new Promise<void>((resolve) => {
        waiting.set(id, () => {
          latencies.push(performance.now() - asked);
          waiting.delete(id);
          resolve();
        });
        client.publish(`fleet/${SITE}/${deviceId(i % DEVICES)}/cmd/move_joint`, JSON.stringify({ id, args: { joint: i % 6, angle: i % 90 } }), { qos: 2 });
      });
    }),
  );
  const run = summarize(latencies, performance.now() - t0);
  await client.endAsync();
  return run;
}

export async function benchCommands(): Promise<BenchResult[]> {
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-commands-"));
  const devices = await startResponders(url);
  const best = (a: Run | null, b: Run) => (a && a.perSecond >= b.perSecond ? a : b);
  let ours: Run | null = null;
  let bare: Run | null = null;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      bare = best(bare, await bareLoop(url));
      ours = best(ours, await throughService(url, dir, round));
    }
  } finally {
    await Promise.all(devices.map((d) => d.endAsync()));
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const what = `${COMMANDS} concurrent commands across ${DEVICES} devices (embedded Aedes, QoS 2, reply-confirmed)`;
  const reference = "bare MQTT.js request/reply loop";
  return [
    { name: `${what}: throughput through the command service (SQLite log)`, value: ours!.perSecond, unit: "commands/s", reference: bare!.perSecond, referenceName: reference },
    { name: `${what}: p50 round trip`, value: ours!.p50, unit: "ms", reference: bare!.p50, referenceName: reference, lowerIsBetter: true },
    { name: `${what}: p95 round trip`, value: ours!.p95, unit: "ms", reference: bare!.p95, referenceName: reference, lowerIsBetter: true },
  ];
}
