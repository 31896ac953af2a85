/**
 * The embedded broker under the protocol fuzzer (test/fuzz/): a million mutated MQTT 3.1.1 and 5
 * packets over TCP and WebSocket into the broker alone in its process, taps on, lab access rules.
 * Figures: packets per second against the same harness sending only valid 3.1.1 packets; and a
 * good client's p99 publish/subscribe round trip during the fuzz against the same client on the
 * idle broker, over TCP and over WebSocket. `BENCH_FUZZ_PACKETS` resizes the run, `FUZZ_SEED`
 * fixes its seed (printed in the figure's name).
 */
import { fuzzSeed, Probe, PROBE_DEADLINE_MS, quantile, runFuzz, startBrokerProcess, type BrokerProcess } from "../test/fuzz/broker-fuzz";
import type { BenchResult } from "./run";

const PACKETS = Number(process.env.BENCH_FUZZ_PACKETS ?? 1_000_000);
/** Valid packets for the throughput reference: a tenth of the run, at least 50,000. */
const VALID_PACKETS = Number(process.env.BENCH_FUZZ_VALID_PACKETS ?? Math.max(50_000, Math.round(PACKETS / 10)));
const QUIET_MS = Number(process.env.BENCH_FUZZ_QUIET_MS ?? 5000);

interface Probed {
  tcp: number[];
  ws: number[];
  failures: string[];
}

async function probed(broker: BrokerProcess, during: () => Promise<void>): Promise<Probed> {
  const tcp = await Probe.start(`mqtt://127.0.0.1:${broker.target.tcpPort}`, "tcp");
  const ws = await Probe.start(broker.target.wsUrl, "websocket");
  try {
    await during();
  } finally {
    await Promise.all([tcp.stop(), ws.stop()]);
  }
  return { tcp: tcp.rtts, ws: ws.rtts, failures: [...tcp.failures, ...ws.failures] };
}

export async function benchFuzz(): Promise<BenchResult[]> {
  const seed = fuzzSeed();
  const broker = await startBrokerProcess();
  try {
    const quiet = await probed(broker, () => new Promise((r) => setTimeout(r, QUIET_MS)));
    const valid = await runFuzz(broker.target, { seed, packets: VALID_PACKETS, mutate: false });
    let run = valid;
    const fuzzed = await probed(broker, async () => {
      run = await runFuzz(broker.target, { seed, packets: PACKETS });
    });
    if (broker.exitedEarly()) throw new Error(`${broker.exitedEarly()} during the fuzz (FUZZ_SEED=${seed})`);
    const late = fuzzed.tcp.concat(fuzzed.ws).filter((ms) => ms >= PROBE_DEADLINE_MS).length + fuzzed.failures.length;
    const rate = (r: typeof run) => (r.packets / r.elapsedMs) * 1000;
    const p99 = (xs: number[]) => quantile(xs, 0.99);
    const max = (xs: number[]) => Math.max(...xs).toFixed(0);
    return [
      {
        name: `protocol fuzzer into the embedded broker (${run.packets} packets, ${run.connections} connections, FUZZ_SEED=${seed}; ${run.heldOpen} held open)`,
        value: rate(run),
        unit: "packets/s",
        reference: rate(valid),
        referenceName: `same harness, ${valid.packets} valid MQTT 3.1.1 packets`,
      },
      {
        name: `good TCP client's p99 round trip during the fuzz (max ${max(fuzzed.tcp)} ms; ${late} of ${fuzzed.tcp.length + fuzzed.ws.length} probes over ${PROBE_DEADLINE_MS} ms or lost, both transports)`,
        value: p99(fuzzed.tcp),
        unit: "ms",
        reference: p99(quiet.tcp),
        referenceName: `the idle broker, ${quiet.tcp.length} round trips`,
        lowerIsBetter: true,
      },
      {
        name: `good WebSocket client's p99 round trip during the fuzz (max ${max(fuzzed.ws)} ms)`,
        value: p99(fuzzed.ws),
        unit: "ms",
        reference: p99(quiet.ws),
        referenceName: `the idle broker, ${quiet.ws.length} round trips`,
        lowerIsBetter: true,
      },
    ];
  } finally {
    await broker.stop();
  }
}
