/**
 * Bridge memory over a long run: one million QoS 1 messages from a publisher process through a
 * Mosquitto into the bridge and SQLite. Reports the peak RSS of this process at the end against
 * its peak after the first tenth: a ratio near 1 means memory stays flat.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bridge } from "../lib/bridge/bridge";
import { SqliteStore } from "../lib/store/sqlite/store";
import { startMosquitto } from "../test/helpers/mosquitto";
import type { BenchResult } from "./run";

const COUNT = Number(process.env.BENCH_MEMORY_MESSAGES ?? 1_000_000);

export async function benchMemory(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-memory-"));
  const broker = await startMosquitto();
  const store = new SqliteStore(join(dir, "memory.db"));
  const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "bench-memory", filter: "fleet/#", spoolPath: join(dir, "spool.db") });
  await bridge.start();
  let peakEarly = 0;
  let peak = 0;
  const done = new Promise<void>((resolve) => {
    bridge.on("committed", () => {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      const stored = bridge.getStats().stored;
      if (stored <= COUNT / 10) peakEarly = peak;
      if (stored >= COUNT) resolve();
    });
  });
  const t0 = performance.now();
  // Not mosquitto_pub -l: it gives up after about 75,000 lines (bench/qos1-publisher.ts).
  const pub = spawn(process.execPath, ["--import", "tsx", "bench/qos1-publisher.ts", broker.tcpUrl, "fleet/bench/arm-01/telemetry", String(COUNT)], { stdio: ["ignore", "ignore", "inherit"] });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  pub.kill();
  await bridge.stop();
  await store.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  const mb = (b: number) => b / 1024 / 1024;
  return [
    {
      name: `bridge peak RSS after ${COUNT.toLocaleString("en")} QoS 1 messages (${Math.round(COUNT / seconds)} msgs/s)`,
      value: mb(peak),
      unit: "MiB",
      reference: mb(peakEarly),
      referenceName: `peak after the first ${(COUNT / 10).toLocaleString("en")}`,
      lowerIsBetter: true,
    },
  ];
}
