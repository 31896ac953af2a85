/**
 * `npm run bench`: each benchmark prints its figure and its ratio to a reference measured in
 * the same run on the same machine, so the ratio, not the raw number, is what to compare.
 * Ratios are "times better than the reference": above 1 beats it.
 */
import { benches } from "./registry";

export type { BenchResult } from "./registry";

const only = process.argv[2];
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
