/**
 * Alerts on the bridge's stream (issue 19): bridge ingest with 1,000 alert rules evaluated on
 * every message, against the same bridge with no alert service, on the same stream in the same
 * run (the figure: ≥ 0.9). The stream is the demo fleet's telemetry from DEVICES arms through a
 * Mosquitto started here, one `mosquitto_pub -l` per arm, as fast as they go. The rules are the
 * mix a fleet has: thresholds per arm, per group and on every arm, rates of change, no-data and
 * offline rules; a few fire, most watch quietly. Also: from a crossing value to the webhook POST
 * with `for: 0`, the p95 (< 250 ms).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { alertRuleSchema, type AlertRule } from "../lib/alerts/rule";
import { AlertService } from "../lib/alerting/service";
import { Bridge } from "../lib/bridge/bridge";
import { SqliteStore } from "../lib/store/sqlite/store";
import { startMosquitto } from "../test/helpers/mosquitto";
import { publishLines, type LinePublisher } from "./line-publisher";
import { median } from "./median";
import type { BenchResult } from "./run";

const DEVICES = 10;
const PER_DEVICE = Number(process.env.BENCH_ALERTS_PER_DEVICE ?? 10_000);
const RULES = 1000;
const ROUNDS = Number(process.env.BENCH_ALERTS_ROUNDS ?? 3);
const LATENCY_SAMPLES = 40;
const RATE = 10_000;
/**
 * "fleet" (default): a tenth of the rules on the whole group and a tenth on every arm, so each
 * message is offered to about 270 rules; "per-arm": every rule names its arm (about 100).
 */
const MIX = process.env.BENCH_ALERTS_MIX === "per-arm" ? "per-arm" : "fleet";
const PACED_COUNT = Number(process.env.BENCH_ALERTS_PACED ?? 100_000);
const arm = (i: number) => `arm-${String(i + 1).padStart(2, "0")}`;

function* lines(count: number, device: number): Generator<string> {
  for (let i = 1; i <= count; i += 1000) {
    let chunk = "";
    for (let k = i; k < Math.min(count + 1, i + 1000); k++) chunk += JSON.stringify({ seq: k, temp: 40 + ((k + device) % 7), current: 1.2 + (k % 3) / 10, speed: k % 100, joints: [1, 2, 3, 4, 5, 6] }) + "\n";
    yield chunk;
  }
}

/** 1,000 rules: most quiet, a few that fire and resolve as the stream's temperature cycles. */
function rules(): AlertRule[] {
  const out: AlertRule[] = [];
  for (let i = 0; i < RULES; i++) {
    const id = `bench-${i}`;
    const base = { id, name: `rule ${i}`, severity: "warning" };
    const slot = i % 10;
    let rule: unknown;
    if (slot < 5) rule = { ...base, kind: "threshold", devices: [arm(i % DEVICES)], field: i % 2 ? "temp" : "current", op: "above", value: 90 + (i % 7), clear: 85, forMs: "10s" };
    else if (slot === 5) rule = { ...base, kind: "threshold", ...(MIX === "per-arm" ? { devices: [arm(i % DEVICES)] } : { group: "bench" }), field: "temp", op: "below", value: 10, forMs: "5s" };
    else if (slot === 6) rule = { ...base, kind: "threshold", ...(MIX === "per-arm" ? { devices: [arm(i % DEVICES)] } : {}), field: "speed", op: "above", value: 1000 };
    else if (slot === 7) rule = { ...base, kind: "rate", devices: [arm(i % DEVICES)], field: "temp", op: "above", value: 1000, windowMs: "10s" };
    else if (slot === 8) rule = { ...base, kind: "no_data", devices: [arm(i % DEVICES)], forMs: "1m" };
    else rule = { ...base, kind: "offline", devices: [arm(i % DEVICES)], forMs: "30s" };
    out.push(alertRuleSchema.parse(rule));
  }
  // Ten that fire once and stay firing (the stream never cools below 39), one on each arm.
  for (let d = 0; d < DEVICES; d++) out[d * 10] = alertRuleSchema.parse({ id: `bench-${d * 10}`, name: `hot ${d}`, severity: "major", kind: "threshold", devices: [arm(d)], field: "temp", op: "above", value: 41, clear: 39 });
  return out;
}

/**
 * Ingest, first publish to last row committed: `paced` at RATE a second (the 10,000), or
 * as fast as one mosquitto_pub per arm goes.
 */
async function run(url: string, dir: string, label: string, withAlerts: boolean, webhook: string, paced: boolean): Promise<number> {
  const store = new SqliteStore(join(dir, `${label}.db`));
  if (withAlerts) for (const r of rules()) await store.alerts.saveRule({ id: r.id, body: JSON.stringify(r), createdAt: 1, createdBy: "bench", updatedAt: 1, updatedBy: "bench" });
  const bridge = new Bridge({ url, store, clientId: `bench-alerts-${label}`, filter: "fleet/#", spoolPath: join(dir, `spool-${label}.db`) });
  await bridge.start();
  const alerts = withAlerts ? new AlertService({ store: store.alerts, devices: () => store.listDevices(), holder: label, externalURL: "http://bench", webhooks: [webhook] }).watchBridge(bridge) : null;
  await alerts?.start();
  const total = paced ? PACED_COUNT : DEVICES * PER_DEVICE;
  const done = new Promise<void>((resolve) => bridge.on("committed", () => bridge.getStats().stored >= total && resolve()));
  const start = performance.now();
  const stop: (() => void)[] = [];
  if (paced) {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/fleet-paced-publisher.ts", url, String(total), String(RATE), String(DEVICES)], { stdio: "ignore" });
    stop.push(() => child.kill());
  } else {
    const pubs: LinePublisher[] = Array.from({ length: DEVICES }, (_, d) => publishLines(url, { topic: `fleet/bench/${arm(d)}/telemetry`, qos: 0, clientId: `bench-pub-${label}-${d}`, lines: lines(PER_DEVICE, d) }));
    for (const p of pubs) stop.push(() => p.stop());
  }
  await done;
  const rate = (total / (performance.now() - start)) * 1000;
  for (const f of stop) f();
  await alerts?.stop();
  await bridge.stop();
  await store.close();
  return rate;
}

/** From publishing a value over a `for: 0` threshold to the receiver's POST, through bridge, service and delivery. */
async function latency(url: string, dir: string): Promise<number[]> {
  const posts: (() => void)[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200).end();
      posts.shift()?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const store = new SqliteStore(join(dir, "latency.db"));
  const rule = alertRuleSchema.parse({ id: "hot", name: "Hot", severity: "major", kind: "threshold", devices: ["arm-99"], field: "temp", op: "above", value: 80 });
  await store.alerts.saveRule({ id: "hot", body: JSON.stringify(rule), createdAt: 1, createdBy: "bench", updatedAt: 1, updatedBy: "bench" });
  const bridge = new Bridge({ url, store, clientId: "bench-alerts-latency", filter: "fleet/#", spoolPath: join(dir, "spool-latency.db") });
  await bridge.start();
  // Each crossing its own notification: no group interval between a resolve and the next firing.
  const alerts = new AlertService({ store: store.alerts, devices: () => store.listDevices(), holder: "latency", externalURL: "http://bench", webhooks: [hook], grouping: { groupBy: ["alertname", "device"], groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: 3600_000 } }).watchBridge(bridge);
  await alerts.start();
  const pub = await mqtt.connectAsync(url, { clientId: "bench-alerts-latency-pub" });
  const out: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    for (const temp of [90, 20]) {
      const posted = new Promise<void>((r) => posts.push(r));
      const t0 = performance.now();
      await pub.publishAsync("fleet/lab/arm-99/telemetry", JSON.stringify({ seq: i * 2 + (temp === 90 ? 1 : 2), temp }), { qos: 0 });
      await posted;
      if (temp === 90) out.push(performance.now() - t0);
    }
  }
  await pub.endAsync();
  await alerts.stop();
  await bridge.stop();
  await store.close();
  server.close();
  return out.sort((a, b) => a - b);
}

export async function benchAlerts(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-alerts-"));
  const broker = await startMosquitto();
  const sink = createServer((req, res) => (req.resume(), req.on("end", () => res.writeHead(200).end())));
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
  const webhook = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  try {
    const off: number[] = [];
    const on: number[] = [];
    const offFast: number[] = [];
    const onFast: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      off.push(await run(broker.tcpUrl, dir, `off-${round}`, false, webhook, true));
      on.push(await run(broker.tcpUrl, dir, `on-${round}`, true, webhook, true));
      offFast.push(await run(broker.tcpUrl, dir, `off-fast-${round}`, false, webhook, false));
      onFast.push(await run(broker.tcpUrl, dir, `on-fast-${round}`, true, webhook, false));
    }
    const lat = await latency(broker.tcpUrl, dir);
    const p95 = lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.95) - 1)]!;
    return [
      { name: `bridge ingest with ${RULES} alert rules (${MIX} mix), ${RATE} msgs/s offered (${PACED_COUNT} msgs from ${DEVICES} arms, QoS 0, Mosquitto → SQLite; target ratio ≥ 0.9)`, value: median(on), unit: "msgs/s", reference: median(off), referenceName: `the same bridge with no alert service; medians of ${ROUNDS} rounds` },
      { name: `bridge ingest with ${RULES} alert rules (${MIX} mix), as fast as it goes (${DEVICES} arms × ${PER_DEVICE} msgs, QoS 0, Mosquitto → SQLite; no target: past the offered rate)`, value: median(onFast), unit: "msgs/s", reference: median(offFast), referenceName: `the same bridge with no alert service; medians of ${ROUNDS} rounds` },
      { name: `crossing value → webhook POST, p95 of ${LATENCY_SAMPLES}, for: 0 (target < 250 ms)`, value: p95, unit: "ms", reference: 250, referenceName: "the issue's bound", lowerIsBetter: true },
    ];
  } finally {
    sink.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
