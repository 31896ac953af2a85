/**
 * `npm run capture -- --interface eth0 [--filter "tcp port 1883"] [--name NAME]`: a live capture,
 * tcpdump as a child process (only it needs the capture privilege) streamed into the same import
 * as an uploaded file. Ctrl-C ends it; it is then kept like an import, to open on /wire.
 */
import { parseArgs } from "node:util";
import { configOrExit } from "../lib/config/from-process";
import { ChunkQueue } from "../lib/captures/chunk-queue";
import { importCapture } from "../lib/captures/import";
import { captureName, newCaptureId } from "../lib/captures/requests";
import { interfaceProblem, startLiveCapture } from "../lib/captures/tcpdump";
import { sharedStore } from "../lib/store/shared";

const config = configOrExit();
const { values } = parseArgs({ options: { interface: { type: "string" }, filter: { type: "string" }, name: { type: "string" }, help: { type: "boolean" } } });
if (values.help || !values.interface) {
  process.stdout.write('usage: npm run capture -- --interface <name> [--filter "tcp port 1883"] [--name <name>]\n');
  process.exit(values.help ? 0 : 2);
}
const problem = interfaceProblem(values.interface);
if (problem) {
  process.stderr.write(`fleetscope capture: --interface: ${problem}\n`);
  process.exit(2);
}
const store = await sharedStore(config.databaseUrl);
const now = Date.now();
const id = newCaptureId(now);
const name = captureName(values.name ?? `live-${values.interface}`, now);
const queue = new ChunkQueue();
let failed: string | null = null;
const live = startLiveCapture({
  interface: values.interface,
  filter: values.filter,
  onChunk: (c) => queue.push(c),
  onReady: () => process.stdout.write(`fleetscope capture: listening on ${values.interface}${values.filter ? ` (${values.filter})` : ""}; Ctrl-C ends it\n`),
  onEnd: (p) => {
    failed = p;
    queue.end();
  },
});
process.once("SIGINT", () => live.stop());
process.once("SIGTERM", () => live.stop());
let lastReport = 0;
const summary = await importCapture(queue, {
  dir: config.captureDir,
  id,
  name,
  maxBytes: Number.MAX_SAFE_INTEGER,
  actor: "capture",
  now,
  onProgress: (bytes) => {
    if (Date.now() - lastReport < 2000) return;
    lastReport = Date.now();
    process.stdout.write(`fleetscope capture: ${(bytes / 1024 / 1024).toFixed(1)} MB\n`);
  },
});
if (failed) process.stderr.write(`fleetscope capture: ${failed}\n`);
if (summary.bytes > 0) {
  await store.captures.save({ id, name, createdAt: now, createdBy: "capture", bytes: summary.bytes, summary: JSON.stringify(summary) });
  process.stdout.write(
    `fleetscope capture: ${summary.mqttPackets} MQTT packets on ${summary.connections.length} connections; flows ${summary.flows.complete} complete, ${summary.flows.in_flight} in flight, ${summary.flows.stuck} stuck. Saved: /wire?capture=${id}\n`,
  );
}
await store.close();
process.exit(failed ? 1 : 0);
