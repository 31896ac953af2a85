/**
 * The embedded broker under a protocol fuzzer (test/fuzz/packets.ts): 10,000 mutated MQTT 3.1.1
 * and 5 packets of every type over TCP and the WebSocket endpoint, against the broker alone in a
 * process (test/fuzz/broker-process.ts) with the packet taps on as in `npm start` and the access
 * rules of a trusted lab (FLEETSCOPE_AUTH=off), so most connections get past CONNECT and what
 * follows it is parsed too. Throughout, two good clients (TCP and WebSocket) get every
 * publish/subscribe round trip answered within 1 s; the broker process's RSS grows less than
 * 50 MB; and our own MQTT readers (test/fuzz/framers.ts) never throw on the same bytes.
 * The seed is in the test's name; `FUZZ_SEED=<seed>` replays a run, `FUZZ_PACKETS` resizes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttStreamDecoder } from "../../lib/capture/mqtt-stream";
import { fuzzSeed, Probe, PROBE_DEADLINE_MS, quantile, runFuzz, startBrokerProcess, type BrokerProcess, type FuzzRun } from "../fuzz/broker-fuzz";
import { readWithOurReaders } from "../fuzz/framers";
import { describeConnection, fuzzConnections } from "../fuzz/packets";
import { mixSeed } from "../fuzz/prng";

const SEED = fuzzSeed();
const PACKETS = Number(process.env.FUZZ_PACKETS ?? 10_000);
/**
 * Sent before the measured run (from another seed), so the baseline RSS already holds the JIT's
 * code and the heap grown to its working size: what the limit then catches is what stays.
 */
const WARM_UP_PACKETS = 5000;
/** Connections in flight at once. */
const CONCURRENCY = 8;
const RSS_GROWTH_LIMIT = 50 * 1024 * 1024;
const REPLAY = `replay with FUZZ_SEED=${SEED} npx vitest run test/integration/broker-fuzz.test.ts`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await startBrokerProcess();
});

afterAll(async () => {
  await broker?.stop();
});

describe(`the embedded broker under the protocol fuzzer (FUZZ_SEED=${SEED})`, () => {
  it(`answers good clients within ${PROBE_DEADLINE_MS} ms through ${PACKETS} fuzzed packets, its RSS growing less than 50 MB, and closes every connection`, { timeout: 120_000 }, async () => {
    const { target } = broker;
    const probes = [await Probe.start(`mqtt://127.0.0.1:${target.tcpPort}`, "tcp"), await Probe.start(target.wsUrl, "websocket")];
    let run: FuzzRun;
    let before, after;
    try {
      await runFuzz(target, { seed: mixSeed(SEED, 0xffffffff), packets: WARM_UP_PACKETS, concurrency: CONCURRENCY });
      before = await broker.memory();
      run = await runFuzz(target, { seed: SEED, packets: PACKETS, concurrency: CONCURRENCY });
    } finally {
      await Promise.all(probes.map((p) => p.stop()));
    }
    // The probes' own DISCONNECTs reach the broker's process a moment after they end: what is
    // left is counted once that has settled (a bounded poll of the other process).
    after = await broker.memory();
    for (const settled = Date.now() + 5000; after.clients > 0 && Date.now() < settled; after = await broker.memory()) await new Promise((r) => setTimeout(r, 20));

    const rtts = probes.flatMap((p) => p.rtts);
    const p99 = probes.map((p) => `${p.name} p99 ${quantile(p.rtts, 0.99).toFixed(1)} ms`).join(", ");
    const figures = `${run.packets} packets in ${run.connections} connections, ${(run.elapsedMs / 1000).toFixed(1)} s; probes ${p99}, max ${Math.max(...rtts).toFixed(1)} ms over ${rtts.length} round trips; broker RSS ${mb(before.rss)} → ${mb(after.rss)} (peak ${mb(after.peakRss)}), live heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}; ${after.refusals} refusals`;
    const why = `${figures}\n${REPLAY}`;
    expect(broker.exitedEarly(), why).toBeUndefined();
    expect(probes.flatMap((p) => p.failures), why).toEqual([]);
    expect(Math.max(...rtts), why).toBeLessThan(PROBE_DEADLINE_MS);
    expect(Math.max(after.peakRss, after.rss) - before.rss, why).toBeLessThan(RSS_GROWTH_LIMIT);
    // Every connection was closed by the broker once its bytes were in, and none is left behind.
    expect(run.heldOpen, why).toBe(0);
    expect(after.clients, why).toBe(0);
    if (process.env.FUZZ_VERBOSE) process.stdout.write(`${figures}\n`);
  });

  it(`never makes our own MQTT readers throw on the same ${PACKETS} packets`, { timeout: 120_000 }, () => {
    // Read after the broker's run, not during it: on the broker's event loop they would be in its probes' figures.
    const decoder = new MqttStreamDecoder();
    const read = { tap: 0, capture: 0, mqttPacket: 0 };
    for (const c of fuzzConnections({ seed: SEED }, PACKETS)) {
      try {
        const n = readWithOurReaders(c, decoder);
        read.tap += n.tap;
        read.capture += n.capture;
        read.mqttPacket += n.mqttPacket;
      } catch (err) {
        throw new Error(`${(err as Error).message}\non ${describeConnection(c)}\n${REPLAY}`, { cause: err });
      }
    }
    // They did read: most connections start with a valid CONNECT.
    expect(Math.min(read.tap, read.capture, read.mqttPacket)).toBeGreaterThan(PACKETS / 10);
  });
});
