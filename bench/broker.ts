/**
 * The embedded broker's QoS 1 throughput with its durable persistence (SQLite, group commit:
 * lib/broker/persistence/) against the same broker with aedes' in-memory persistence, in the same
 * run. `mosquitto_pub -l` processes send QoS 1 telemetry lines through the broker to an MQTT.js
 * subscriber with a persistent session (clean: false, as the bridge's), so every message is queued
 * for that session, put in flight and cleared at its PUBACK: three writes each. The rate is
 * messages received per second. Measured with one publisher (one stream, the fewest writes to share
 * a commit) and with a fleet of them. Each run uses a fresh broker (and file); the two persistences
 * alternate, and the better run of each counts, so a burst of other load on the machine does not
 * decide the ratio. Target ratio ≥ 0.8.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { openAccess } from "../lib/broker/access";
import { startEmbeddedBroker, type BrokerPersistence } from "../lib/broker/embedded";
import { publishLines, telemetryLines } from "./line-publisher";
import type { BenchResult } from "./run";

const MESSAGES = Number(process.env.BENCH_BROKER_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_BROKER_ROUNDS ?? 3);
/** Devices publishing at once in the fleet case. */
const FLEET = 10;

async function throughput(persistence: BrokerPersistence, publishers: number, label: string): Promise<number> {
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess, persistence });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  try {
    const sub = await mqtt.connectAsync(url, { clientId: `bench-broker-sub-${label}`, clean: false });
    let seen = 0;
    const done = new Promise<void>((resolve) => sub.on("message", () => ++seen === MESSAGES && resolve()));
    await sub.subscribeAsync("fleet/#", { qos: 1 });
    const each = Math.ceil(MESSAGES / publishers);
    const lines = Array.from({ length: publishers }, (_, i) => [...telemetryLines(Math.min(each, MESSAGES - i * each))]);
    const start = performance.now();
    const pubs = lines.map((l, i) => publishLines(url, { topic: `fleet/bench/arm-${String(i + 1).padStart(2, "0")}/telemetry`, qos: 1, clientId: `bench-broker-pub-${label}-${i}`, lines: l }));
    await done;
    const rate = (MESSAGES / (performance.now() - start)) * 1000;
    for (const p of pubs) p.stop();
    await sub.endAsync();
    return rate;
  } finally {
    await broker.close();
  }
}

export async function benchBroker(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-broker-"));
  const results: BenchResult[] = [];
  try {
    for (const publishers of [1, FLEET]) {
      let durable = 0;
      let memory = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const label = `${publishers}-${i}`;
        memory = Math.max(memory, await throughput({ kind: "memory" }, publishers, `memory-${label}`));
        durable = Math.max(durable, await throughput({ kind: "sqlite", file: join(dir, `broker-${label}.db`) }, publishers, `sqlite-${label}`));
      }
      const who = publishers === 1 ? "one publisher" : `${publishers} publishers`;
      results.push({
        name: `embedded broker, durable persistence (SQLite, group commit), QoS 1 to a persistent session, ${who} (${MESSAGES} msgs, mosquitto_pub → Aedes → MQTT.js; target ratio ≥ 0.8)`,
        value: durable,
        unit: "msgs/s",
        reference: memory,
        referenceName: "same broker, aedes' in-memory persistence",
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
