/**
 * Bridge ingest of a mixed-convention stream (Sparkplug B protobuf and JSON of five other
 * conventions, bench/convention-streams.ts) against the same bridge on the demo stream, the same
 * number of messages at the same QoS through the same Mosquitto and publisher process
 * (bench/stream-publisher.ts): messages per second from the first publish to the last row
 * committed, SQLite. Target ratio ≥ 0.8.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { Bridge } from "../lib/bridge/bridge";
import { SqliteStore } from "../lib/store/sqlite/store";
import { startMosquitto } from "../test/helpers/mosquitto";
import { median } from "./median";
import type { BenchResult } from "./run";

const COUNT = Number(process.env.BENCH_MIXED_MESSAGES ?? 30_000);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const QOS = 1;

function publish(url: string, kind: "demo" | "mixed"): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", "bench/stream-publisher.ts", url, kind, String(COUNT), String(QOS)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.once("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`publisher exited with ${code}`))));
  });
}

async function run(url: string, kind: "demo" | "mixed", dir: string, label: string): Promise<number> {
  const store = new SqliteStore(join(dir, `${label}.db`));
  const bridge = new Bridge({ url, store, clientId: `bench-mixed-${label}`, filter: "#", spoolPath: join(dir, `spool-${label}.db`) });
  try {
    await bridge.start();
    const base = bridge.getStats().stored;
    const start = performance.now();
    const sent = publish(url, kind);
    const total = await sent;
    // Retained descriptions from an earlier round come again on subscribe: counted from here on.
    await new Promise<void>((resolve) => {
      const check = () => bridge.getStats().stored - base >= total && resolve();
      bridge.on("committed", check);
      check();
    });
    return (total / (performance.now() - start)) * 1000;
  } finally {
    await bridge.stop();
    await store.close();
  }
}

/** The publisher's own pace: a bare subscriber that only counts the mixed stream. */
async function bare(url: string): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `bench-mixed-bare-${process.pid}` });
  try {
    await sub.subscribeAsync("#", { qos: 1 });
    // Retained descriptions from earlier rounds arrive first: counted from the publish on.
    await new Promise((r) => setTimeout(r, 200));
    let seen = 0;
    sub.on("message", () => seen++);
    const start = performance.now();
    const total = await publish(url, "mixed");
    while (seen < total) await new Promise((r) => setTimeout(r, 5));
    return (total / (performance.now() - start)) * 1000;
  } finally {
    await sub.endAsync();
  }
}

export async function benchMixedIngest(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-mixed-"));
  const broker = await startMosquitto();
  const demo: number[] = [];
  const mixed: number[] = [];
  const refs: number[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      demo.push(await run(broker.tcpUrl, "demo", dir, `demo${r}`));
      mixed.push(await run(broker.tcpUrl, "mixed", dir, `mixed${r}`));
      refs.push(await bare(broker.tcpUrl));
    }
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      name: `bridge ingest, mixed-convention stream, QoS ${QOS} (${COUNT} msgs, Mosquitto → SQLite; target ratio ≥ 0.8; medians of ${ROUNDS} rounds)`,
      value: median(mixed),
      unit: "msgs/s",
      reference: median(demo),
      referenceName: "the same bridge on the demo stream",
    },
    {
      name: `bridge ingest, mixed-convention stream, QoS ${QOS}, against the publisher's own pace (how near the bridge keeps up)`,
      value: median(mixed),
      unit: "msgs/s",
      reference: median(refs),
      referenceName: "bare MQTT.js subscriber counting the same stream",
    },
  ];
}
