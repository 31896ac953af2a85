/**
 * Bridge memory over a long run: one million QoS 1 messages from `mosquitto_pub -l` through a
 * Mosquitto into the bridge and SQLite. Reports the peak RSS of this process at the end against
 * its peak after the first tenth: a ratio near 1 means memory stays flat.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Bridge } from "../lib/bridge/bridge";
import { SqliteStore } from "../lib/store/sqlite";
import { startMosquitto } from "../test/helpers/mosquitto";
import type { BenchResult } from "./run";

const COUNT = Number(process.env.BENCH_MEMORY_MESSAGES ?? 1_000_000);

function* lines(count: number) {
  for (let i = 1; i <= count; i += 1000) {
    let chunk = "";
    for (let k = i; k < Math.min(count + 1, i + 1000); k++) chunk += JSON.stringify({ seq: k, temp: 40 + (k % 7), current: 1.2, joints: [1, 2, 3, 4, 5, 6] }) + "\n";
    yield chunk;
  }
}

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
  const { hostname, port } = new URL(broker.tcpUrl);
  const t0 = performance.now();
  const pub = spawn("mosquitto_pub", ["-h", hostname, "-p", port, "-t", "fleet/bench/arm-01/telemetry", "-q", "1", "-l", "-i", "bench-memory-pub"], { stdio: ["pipe", "ignore", "inherit"] });
  Readable.from(lines(COUNT)).pipe(pub.stdin);
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
