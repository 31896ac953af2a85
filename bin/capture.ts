/**
 * `npm run capture -- --interface eth0 [--filter "tcp port 1883"] [--name NAME] [--rotate MINUTES] [--ports 1883,8883/tls,9001/ws]`:
 * a live capture, tcpdump as a child process (only it needs the capture privilege) streamed into
 * the same import as an uploaded file (lib/captures/live-recorder.ts). Ctrl-C ends it; it is then
 * kept like an import, to open on /wire. With --rotate, a capture is saved every so many minutes.
 */
import { parseArgs } from "node:util";
import { configOrExit } from "../lib/config/from-process";
import { startLiveRecorder } from "../lib/captures/live-recorder";
import { parseCapturePorts, withPorts } from "../lib/config/capture-ports";
import { interfaceProblem } from "../lib/captures/tcpdump";
import { sharedStore } from "../lib/store/shared";

const USAGE = 'usage: npm run capture -- --interface <name> [--filter "tcp port 1883"] [--name <name>] [--rotate <minutes>] [--ports <more MQTT ports, as FLEETSCOPE_CAPTURE_PORTS>]\n';
const config = configOrExit();
const { values } = parseArgs({
  options: { interface: { type: "string" }, filter: { type: "string" }, name: { type: "string" }, rotate: { type: "string" }, ports: { type: "string" }, help: { type: "boolean" } },
});
if (values.help || !values.interface) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const badInterface = interfaceProblem(values.interface);
const rotateMinutes = values.rotate === undefined ? Infinity : Number(values.rotate);
if (badInterface || !(rotateMinutes > 0)) {
  process.stderr.write(`fleetscope capture: ${badInterface ? `--interface: ${badInterface}` : "--rotate: must be a number of minutes above 0"}\n`);
  process.exit(2);
}
let ports = config.capturePorts;
try {
  if (values.ports) ports = withPorts(ports, parseCapturePorts(values.ports));
} catch (err) {
  process.stderr.write(`fleetscope capture: --ports: ${(err as Error).message}\n`);
  process.exit(2);
}
const store = await sharedStore(config.databaseUrl);
let lastReport = 0;
let saved = 0;
const recorder = startLiveRecorder({
  interface: values.interface,
  filter: values.filter,
  dir: config.captureDir,
  captures: store.captures,
  name: values.name ?? `live-${values.interface}`,
  actor: "capture",
  rotateMs: rotateMinutes * 60_000,
  segmentBytes: config.captureMaxBytes,
  ports,
  onReady: () => process.stdout.write(`fleetscope capture: listening on ${values.interface}${values.filter ? ` (${values.filter})` : ""}; Ctrl-C ends it\n`),
  onProgress: (bytes) => {
    if (Date.now() - lastReport < 2000) return;
    lastReport = Date.now();
    process.stdout.write(`fleetscope capture: ${(bytes / 1024 / 1024).toFixed(1)} MB\n`);
  },
  onSaved: (s) => {
    saved++;
    process.stdout.write(
      `fleetscope capture: ${s.mqttPackets} MQTT packets on ${s.connections.length} connections; flows ${s.flows.complete} complete, ${s.flows.in_flight} in flight, ${s.flows.stuck} stuck. Saved: /wire?capture=${s.id}\n`,
    );
  },
});
process.once("SIGINT", () => void recorder.stop());
process.once("SIGTERM", () => void recorder.stop());
const { problem, tcpdump, frames } = await recorder.done;
if (problem) process.stderr.write(`fleetscope capture: ${problem}\n`);
else if (saved === 0) process.stdout.write("fleetscope capture: no packet was captured, so nothing was saved\n");
if (tcpdump) {
  const lost = tcpdump.captured - frames;
  process.stdout.write(`fleetscope capture: tcpdump captured ${tcpdump.captured} packets (its kernel dropped ${tcpdump.droppedByKernel}); read ${frames}${lost > 0 ? `, ${lost} lost on the way` : ""}\n`);
}
await store.close();
process.exit(problem ? 1 : 0);
