/**
 * `npm run bench`: each benchmark prints its figure and its ratio to a reference measured in
 * the same run on the same machine, so the ratio, not the raw number, is what to compare.
 * Ratios are "times better than the reference": above 1 beats it.
 */
import { benchBroker } from "./broker";
import { benchCapture } from "./capture";
import { benchCaptureLive } from "./capture-live";
import { benchCommands } from "./commands";
import { benchConventions } from "./conventions";
import { benchFuzz } from "./fuzz";
import { benchIngest } from "./ingest";
import { benchMixedIngest } from "./mixed-ingest";
import { benchMemory } from "./memory";
import { benchOverview, benchOverviewSparkplug } from "./overview";
import { benchSeries } from "./series";
import { benchStartup } from "./startup";
import { benchTaps } from "./taps";
import { benchTopicTree } from "./topic-tree";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: number;
  referenceName: string;
  lowerIsBetter?: boolean;
}

const only = process.argv[2];
const benches: [string, () => Promise<BenchResult[]>][] = [
  ["ingest", benchIngest],
  ["conventions", benchConventions],
  ["mixed-ingest", benchMixedIngest],
  ["series", benchSeries],
  ["memory", benchMemory],
  ["startup", benchStartup],
  ["overview", benchOverview],
  ["overview-sparkplug", benchOverviewSparkplug],
  ["topic-tree", benchTopicTree],
  ["taps", benchTaps],
  ["broker", benchBroker],
  ["commands", benchCommands],
  ["capture", benchCapture],
  ["capture-live", benchCaptureLive],
  ["fuzz", benchFuzz],
];
for (const [name, bench] of benches) {
  if (only && only !== name) continue;
  for (const r of await bench()) {
    const ratio = r.lowerIsBetter ? r.reference / r.value : r.value / r.reference;
    const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
    // A count of something bad can be 0 on either side (no long task at all): say so, not NaN or Infinity.
    // (A ratio to a zero is 0 or infinite either way, and says nothing of how far apart the two are.)
    const said = r.value !== 0 && r.reference !== 0 ? ratio.toFixed(2) : r.value === r.reference ? "1.00 (0 on both)" : `— (0 ${r.value === 0 ? "here" : "for the reference"})`;
    process.stdout.write(`${r.name}: ${fmt(r.value)} ${r.unit}; reference (${r.referenceName}) ${fmt(r.reference)} ${r.unit}; ratio ${said}\n`);
  }
}
