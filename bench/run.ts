/**
 * `npm run bench`: each benchmark prints its figure and its ratio to a reference measured in
 * the same run on the same machine, so the ratio, not the raw number, is what to compare.
 */
import { benchIngest } from "./ingest";

const benches = [benchIngest];
for (const bench of benches) {
  for (const r of await bench()) {
    const ratio = r.value / r.reference;
    process.stdout.write(
      `${r.name}: ${r.value.toFixed(0)} ${r.unit}; reference (bare MQTT.js subscriber, same stream) ${r.reference.toFixed(0)} ${r.unit}; ratio ${ratio.toFixed(2)}\n`,
    );
  }
}
