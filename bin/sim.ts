/**
 * `npm run sim -- [--convention KIND] --devices N --rate HZ [--failures SHARE] [--lost-replies SHARE]`:
 * simulated devices against MQTT_URL (MQTT_USERNAME / MQTT_PASSWORD for every connection).
 *
 * --convention (default demo):
 *   demo       the demo robot arms of lib/sim/fleet.ts, alone
 *   sparkplug  Sparkplug B 3.0 edge nodes `spBv1.0/sim/…/edge-NN`, one device each
 *   homie      Homie 5 devices `homie/5/thermo-NN`
 *   ha         Home Assistant MQTT-discovery devices `homeassistant/…/sim-node-NN/…`
 *   z2m        one Zigbee2MQTT bridge `zigbee2mqtt/…` with N Zigbee devices behind it
 *   tasmota    Tasmota plugs `tele|stat|cmnd/tasmota_XXXXXX/…`
 *   mixed      N shared out over demo and the five above (lib/sim/conventions)
 * The demo arms' shares default to FLEETSCOPE_SIM_FAILURES / _LOST_REPLIES.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { configOrExit } from "../lib/config/from-process";
import { ConventionFleet, SIM_CONVENTIONS } from "../lib/sim/conventions";
import { Fleet } from "../lib/sim/fleet";

const config = configOrExit();
const { values } = parseArgs({
  options: {
    convention: { type: "string", default: "demo" },
    devices: { type: "string", default: "12" },
    rate: { type: "string", default: "2" },
    failures: { type: "string", default: String(config.simFaults.failures) },
    "lost-replies": { type: "string", default: String(config.simFaults.lostReplies) },
  },
});
const share = z.coerce.number().min(0, "must be a share in 0..1").max(1, "must be a share in 0..1");
const args = z
  .object({
    convention: z.enum(SIM_CONVENTIONS, { error: `must be one of ${SIM_CONVENTIONS.join(", ")}` }),
    devices: z.coerce.number().int().min(1).max(10_000),
    rate: z.coerce.number().positive().max(100),
    failures: share,
    "lost-replies": share,
  })
  .safeParse(values);
if (!args.success) {
  const issue = args.error.issues[0]!;
  process.stderr.write(`fleetscope sim: --${String(issue.path[0])}: ${issue.message}\n`);
  process.exit(2);
}
const url = config.mqttUrl ?? "mqtt://127.0.0.1:1883";
const credentials = () => ({ username: config.mqttUsername, password: config.mqttPassword });
const { convention, devices, rate } = args.data;
const faults = { failures: args.data.failures, lostReplies: args.data["lost-replies"] };
// The demo fleet stays as it always was; the other conventions (and mixed) run in a ConventionFleet.
const fleet =
  convention === "demo"
    ? new Fleet({ url, credentials, devices, rateHz: rate, faults })
    : new ConventionFleet({ url, credentials, convention, devices, rateHz: rate, faults });
await fleet.start();
const what = fleet instanceof ConventionFleet ? [...fleet.shares()].filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`).join(", ") : `${devices} arms`;
process.stdout.write(`fleetscope sim: ${what} at ${rate} Hz on ${url}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void fleet.stop().then(() => process.exit(0)));
}
