/**
 * 1,000 concurrent commands across 100 devices through the command service (recorded in a SQLite
 * store, QoS 2, confirmed by each device's reply), against a bare MQTT.js request/reply loop on the
 * same embedded broker with the same devices. Two kinds of device:
 * - the demo fleet's simulated arms (lib/sim), which answer after a controller's delay, as the
 *   issue asks: what an operator sees;
 * - responders that answer at once, so that Fleetscope's own cost is all that differs.
 * Round trip: from asking to the confirmed result. The two loops alternate, twice each, and the
 * better run of each counts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { openAccess } from "../lib/broker/access";
import { startEmbeddedBroker } from "../lib/broker/embedded";
import { CommandService } from "../lib/command-service/service";
import { isFinal } from "../lib/commands/lifecycle";
import { SqliteStore } from "../lib/store/sqlite/store";
import { Fleet, armId } from "../lib/sim/fleet";
import type { BenchResult } from "./run";

const DEVICES = 100;
const COMMANDS = Number(process.env.BENCH_COMMANDS_COUNT ?? 1_000);
const ROUNDS = Number(process.env.BENCH_COMMANDS_ROUNDS ?? 2);

/** The devices of one kind: their ids, and the site each one lives at. */
interface Devices {
  label: string;
  ids: string[];
  site: Map<string, string>;
  stop(): Promise<void>;
}

const placed = (ids: string[], siteOf: (i: number) => string) => new Map(ids.map((id, i) => [id, siteOf(i)]));

interface Run {
  p50: number;
  p95: number;
  perSecond: number;
  /** This process's CPU time per command (broker, devices and client alike): steadier than wall time on a busy machine. */
  cpuUs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function summarize(latencies: number[], wallMs: number, cpu: NodeJS.CpuUsage): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), perSecond: (latencies.length / wallMs) * 1000, cpuUs: (cpu.user + cpu.system) / latencies.length };
}

/** Devices that answer every command at once, ok, on its reply topic. */
async function instantResponders(url: string): Promise<Devices> {
  const id = (i: number) => `dev-${String(i).padStart(3, "0")}`;
  const clients = await Promise.all(
    Array.from({ length: DEVICES }, async (_, i) => {
      const c = await mqtt.connectAsync(url, { clientId: `bench-dev-${i}` });
      c.on("message", (topic, payload) => {
        const { id: commandId } = JSON.parse(payload.toString()) as { id: string };
        c.publish(`${topic}/reply`, JSON.stringify({ id: commandId, ok: true, result: {} }), { qos: 1 });
      });
      await c.subscribeAsync(`fleet/bench/${id(i)}/cmd/+`, { qos: 2 });
      return c;
    }),
  );
  const ids = Array.from({ length: DEVICES }, (_, i) => id(i));
  return { label: "devices that answer at once", ids, site: placed(ids, () => "bench"), stop: async () => void (await Promise.all(clients.map((c) => c.endAsync()))) };
}

/** The demo fleet's arms: they answer after 30–630 ms, as a controller does, and never fail here. */
async function simulatedArms(url: string): Promise<Devices> {
  const sites = ["plant-a", "plant-b"];
  const fleet = new Fleet({ url, devices: DEVICES, sites, faults: { failures: 0, lostReplies: 0 } });
  await fleet.start();
  const ids = Array.from({ length: DEVICES }, (_, i) => armId(i));
  return { label: "the demo fleet's simulated arms (30–630 ms to answer)", ids, site: placed(ids, (i) => sites[i % sites.length]!), stop: () => fleet.stop() };
}

async function throughService(url: string, devices: Devices, dir: string, round: string): Promise<Run> {
  const store = new SqliteStore(join(dir, `commands-${round}.db`));
  const service = new CommandService({
    url,
    protocolVersion: 4,
    log: store.commands,
    device: async (id) => ({ id, site: devices.site.get(id)!, status: "online", fields: ["joints.0"] }),
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
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: COMMANDS }, async (_, i) => {
      const asked = performance.now();
      const r = await service.submit({ device: devices.ids[i % DEVICES]!, name: "move_joint", args: { joint: i % 6, angle: i % 90 }, actor: "bench" });
      if (r.kind !== "send") throw new Error(`not sent: ${r.kind}`);
      started.set(r.command.id, asked);
    }),
  );
  await allDone;
  const run = summarize(latencies, performance.now() - t0, process.cpuUsage(cpu0));
  await service.stop();
  await store.close();
  return run;
}

async function bareLoop(url: string, devices: Devices): Promise<Run> {
  const client = await mqtt.connectAsync(url, { clientId: `bench-bare-${randomUUID().slice(0, 8)}` });
  const waiting = new Map<string, () => void>();
  client.on("message", (_topic, payload) => {
    const { id } = JSON.parse(payload.toString()) as { id: string };
    waiting.get(id)?.();
  });
  await client.subscribeAsync("fleet/+/+/cmd/+/reply", { qos: 1 });
  const latencies: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
        const device = devices.ids[i % DEVICES]!;
        client.publish(`fleet/${devices.site.get(device)}/${device}/cmd/move_joint`, JSON.stringify({ id, args: { joint: i % 6, angle: i % 90 } }), { qos: 2 });
      });
    }),
  );
  const run = summarize(latencies, performance.now() - t0, process.cpuUsage(cpu0));
  await client.endAsync();
  return run;
}

export async function benchCommands(): Promise<BenchResult[]> {
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-commands-"));
  const best = (a: Run | null, b: Run) => (a && a.perSecond >= b.perSecond ? a : b);
  const results: BenchResult[] = [];
  try {
    for (const start of [simulatedArms, instantResponders]) {
      const devices = await start(url);
      let ours: Run | null = null;
      let bare: Run | null = null;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          bare = best(bare, await bareLoop(url, devices));
          ours = best(ours, await throughService(url, devices, dir, `${results.length}-${round}`));
        }
      } finally {
        await devices.stop();
      }
      const what = `${COMMANDS} concurrent commands to ${DEVICES} ${devices.label} (embedded Aedes, QoS 2, reply-confirmed)`;
      const reference = "bare MQTT.js request/reply loop";
      results.push(
        { name: `${what}: throughput through the command service (SQLite log)`, value: ours!.perSecond, unit: "commands/s", reference: bare!.perSecond, referenceName: reference },
        { name: `${what}: p50 round trip`, value: ours!.p50, unit: "ms", reference: bare!.p50, referenceName: reference, lowerIsBetter: true },
        { name: `${what}: p95 round trip`, value: ours!.p95, unit: "ms", reference: bare!.p95, referenceName: reference, lowerIsBetter: true },
        { name: `${what}: CPU time per command in this process (broker and devices included)`, value: ours!.cpuUs, unit: "µs", reference: bare!.cpuUs, referenceName: reference, lowerIsBetter: true },
      );
    }
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
