/**
 * Bridge ingest: messages per second from publish to committed row, against a bare MQTT.js
 * subscriber that only counts, on the same embedded broker and the same stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { startEmbeddedBroker } from "../lib/broker/embedded";
import { Bridge } from "../lib/bridge/bridge";
import { SqliteStore } from "../lib/store/sqlite";

/** Publishes `count` telemetry messages and resolves when `done` reports them all handled. */
async function pump(url: string, count: number, qos: 0 | 1, done: Promise<void>): Promise<number> {
  const pub = await mqtt.connectAsync(url, { clientId: `bench-pub-${Math.random()}` });
  const start = performance.now();
  // Windows of in-flight publishes keep the broker busy without unbounded memory.
  const WINDOW = 500;
  for (let i = 0; i < count; i += WINDOW) {
    const n = Math.min(WINDOW, count - i);
    await Promise.all(
      Array.from({ length: n }, (_, k) =>
        pub.publishAsync(`fleet/bench/arm-${(i + k) % 50}/telemetry`, JSON.stringify({ seq: i + k, temp: 40 + ((i + k) % 7), current: 1.2, joints: [1, 2, 3, 4, 5, 6] }), { qos }),
      ),
    );
  }
  await done;
  const elapsed = performance.now() - start;
  await pub.endAsync();
  return (count / elapsed) * 1000;
}

async function reference(url: string, count: number, qos: 0 | 1): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: "bench-ref" });
  let seen = 0;
  const done = new Promise<void>((resolve) => sub.on("message", () => ++seen === count && resolve()));
  await sub.subscribeAsync("fleet/#", { qos: 2 });
  const rate = await pump(url, count, qos, done);
  await sub.endAsync();
  return rate;
}

async function bridged(url: string, count: number, qos: 0 | 1, dir: string): Promise<number> {
  const store = new SqliteStore(join(dir, `bench-${qos}.db`));
  const bridge = new Bridge({ url, store, clientId: `bench-bridge-${qos}`, filter: "fleet/#" });
  await bridge.start();
  const done = new Promise<void>((resolve) => bridge.on("committed", () => bridge.getStats().stored >= count && resolve()));
  const rate = await pump(url, count, qos, done);
  await bridge.stop();
  await store.close();
  return rate;
}

export async function benchIngest(): Promise<{ name: string; value: number; unit: string; reference: number }[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-"));
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1" });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  const results = [];
  try {
    for (const [qos, count] of [
      [0, 50_000],
      [1, 20_000],
    ] as const) {
      const ref = await reference(url, count, qos);
      const value = await bridged(url, count, qos, dir);
      results.push({ name: `bridge ingest, QoS ${qos} telemetry (${count} msgs, SQLite)`, value, unit: "msgs/s", reference: ref });
    }
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
