/**
 * `npm run sim -- --devices N --rate HZ [--failures SHARE] [--lost-replies SHARE]`: the demo fleet
 * alone, against MQTT_URL. The shares default to FLEETSCOPE_SIM_FAILURES / _LOST_REPLIES.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { configOrExit } from "../lib/config/from-process";
import { Fleet } from "../lib/sim/fleet";

const config = configOrExit();
const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "12" },
    rate: { type: "string", default: "2" },
    failures: { type: "string", default: String(config.simFaults.failures) },
    "lost-replies": { type: "string", default: String(config.simFaults.lostReplies) },
  },
});
const share = z.coerce.number().min(0, "must be a share in 0..1").max(1, "must be a share in 0..1");
const args = z
  .object({ devices: z.coerce.number().int().min(1).max(10_000), rate: z.coerce.number().positive().max(100), failures: share, "lost-replies": share })
  .safeParse(values);
if (!args.success) {
  const issue = args.error.issues[0]!;
  process.stderr.write(`fleetscope sim: --${String(issue.path[0])}: ${issue.message}\n`);
  process.exit(2);
}
const url = config.mqttUrl ?? "mqtt://127.0.0.1:1883";
const fleet = new Fleet({
  url,
  credentials: () => ({ username: config.mqttUsername, password: config.mqttPassword }),
  devices: args.data.devices,
  rateHz: args.data.rate,
  faults: { failures: args.data.failures, lostReplies: args.data["lost-replies"] },
});
await fleet.start();
process.stdout.write(`fleetscope sim: ${args.data.devices} arms at ${args.data.rate} Hz on ${url}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void fleet.stop().then(() => process.exit(0)));
}
