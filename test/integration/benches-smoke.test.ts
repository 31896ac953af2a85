/**
 * Every benchmark `npm run bench` knows runs here at a tiny size, so a change that breaks one
 * fails the suite the same day rather than on the next benchmark run. Only that each returns
 * figures is checked — at these sizes the figures themselves mean nothing.
 *
 * The benches read their sizes from the environment when their modules load, so the knobs are
 * set before the registry is imported. Some start the built server (`npm test` builds first),
 * Chromium, Mosquitto, tcpdump or tshark, as `npm run bench` does.
 */
import { describe, expect, it } from "vitest";

/** The environment that makes each registered bench tiny. A bench missing here fails the test. */
const SMOKE: Record<string, Record<string, string>> = {
  ingest: { BENCH_INGEST_MESSAGES: "2000", BENCH_INGEST_ROUNDS: "1" },
  conventions: { BENCH_CONVENTIONS_MESSAGES: "2000", BENCH_CONVENTIONS_ROUNDS: "1" },
  "mixed-ingest": { BENCH_MIXED_MESSAGES: "1000", BENCH_INGEST_ROUNDS: "1" },
  series: { BENCH_SERIES_DAYS: "0.1" },
  memory: { BENCH_MEMORY_MESSAGES: "2000" },
  startup: {},
  overview: { BENCH_OVERVIEW_SECONDS: "3", BENCH_OVERVIEW_APPEARING_MS: "1000" },
  "overview-sparkplug": { BENCH_OVERVIEW_SECONDS: "3", BENCH_OVERVIEW_APPEARING_MS: "1000" },
  "topic-tree": { BENCH_TREE_TOPICS: "1000", BENCH_TREE_MESSAGES: "5000", BENCH_TREE_RATE: "1000", BENCH_TREE_SECONDS: "2" },
  taps: { BENCH_TAPS_MESSAGES: "1000", BENCH_TAPS_ROUNDS: "1", BENCH_TAPS_SECONDS: "2", BENCH_TAPS_BROWSER_ROUNDS: "1" },
  broker: { BENCH_BROKER_MESSAGES: "1000", BENCH_BROKER_ROUNDS: "1" },
  commands: { BENCH_COMMANDS_COUNT: "50", BENCH_COMMANDS_ROUNDS: "1" },
  capture: { BENCH_CAPTURE_MB: "1" },
  "capture-live": { BENCH_LIVE_RATE: "500", BENCH_LIVE_SECONDS: "1", BENCH_LIVE_DEVICES: "5" },
  fuzz: { BENCH_FUZZ_PACKETS: "2000", BENCH_FUZZ_VALID_PACKETS: "500", BENCH_FUZZ_QUIET_MS: "500" },
  alerts: { BENCH_ALERTS_PER_DEVICE: "100", BENCH_ALERTS_ROUNDS: "1", BENCH_ALERTS_PACED: "1000" },
  snapshot: { BENCH_SNAPSHOT_DEVICES: "5", BENCH_SNAPSHOT_HOURS: "0.1", BENCH_SNAPSHOT_TOPICS: "200", BENCH_SNAPSHOT_INSTANTS: "5" },
  playback: { BENCH_PLAYBACK_SECONDS: "2" },
};

/** Generous for one bench on two cores; the whole file takes two to two and a half minutes. */
const PER_BENCH_MS = 90_000;

for (const env of Object.values(SMOKE)) {
  for (const [key, value] of Object.entries(env)) {
    const other = Object.values(SMOKE).find((e) => key in e && e[key] !== value);
    if (other) throw new Error(`${key} is set to ${value} and ${other[key]} by two smoke runs; they load together`);
    process.env[key] = value;
  }
}
const { benches } = await import("../../bench/registry");

describe("every benchmark at a tiny size", () => {
  it("has a smoke run for each registered bench, and none for a bench that is gone", () => {
    const registered = benches.map(([name]) => name);
    expect(registered.filter((name) => !(name in SMOKE))).toEqual([]);
    expect(Object.keys(SMOKE).filter((name) => !registered.includes(name))).toEqual([]);
  });

  // In turn, never at once: they measure, and share the CPU and the ports.
  describe.sequential("runs and returns finite figures", () => {
    for (const [name, bench] of benches) {
      it(
        name,
        async () => {
          const started = performance.now();
          const results = await bench();
          process.stdout.write(`bench smoke ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
          expect(results.length).toBeGreaterThan(0);
          for (const r of results) {
            expect(Number.isFinite(r.value), `${r.name}: value ${r.value}`).toBe(true);
            expect(Number.isFinite(r.reference), `${r.name}: reference ${r.reference}`).toBe(true);
          }
        },
        PER_BENCH_MS,
      );
    }
  });
});
