/**
 * `npm run replay -- --from T --to T --url mqtt://host:1883 [--filter 'fleet/#'] [--speed N]
 * [--username U --password P] [--same-broker]`: republishes the stored window [from, to] (epoch ms
 * or ISO times) into the broker at --url, at the original QoS and retain, with the original gaps
 * divided by --speed (default 1), printing progress each second and the totals at the end.
 * Refuses the broker Fleetscope itself uses (MQTT_URL, or the embedded broker's ports here)
 * unless --same-broker is given: the bridge would store the window a second time.
 * Exits 0 when every message was published, 1 when the replay failed, 2 on a usage error.
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { z } from "zod";
import { configOrExit } from "../lib/config/from-process";
import { instantParam, topicFilterParam } from "../lib/http/query-params";
import { ownBroker, progressLine, totalsLine } from "../lib/history/replay-plan";
import { replayWindow } from "../lib/history/replay-run";
import { openStore } from "../lib/store/open";

const say = (line: string) => process.stdout.write(`fleetscope replay: ${line}\n`);
const usage = (why: string): never => {
  process.stderr.write(`fleetscope replay: ${why}\nusage: npm run replay -- --from T --to T --url mqtt://host:1883 [--filter 'fleet/#'] [--speed N] [--same-broker]\n`);
  process.exit(2);
};

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    to: { type: "string" },
    filter: { type: "string" },
    url: { type: "string" },
    speed: { type: "string", default: "1" },
    username: { type: "string" },
    password: { type: "string" },
    "same-broker": { type: "boolean", default: false },
  },
});
const args = z
  .object({
    from: instantParam,
    to: instantParam,
    filter: topicFilterParam.optional(),
    url: z.string({ error: "is required" }).refine((s) => /^(mqtts?|wss?):\/\/[^/]/.test(s) && URL.canParse(s), "must be an mqtt://, mqtts://, ws:// or wss:// URL"),
    speed: z.coerce.number({ error: "must be a number" }).positive("must be above 0").max(10_000, "must be at most 10000"),
    username: z.string().optional(),
    password: z.string().optional(),
    "same-broker": z.boolean(),
  })
  .refine((a) => a.from <= a.to, { message: "must not be after --to", path: ["from"] })
  .safeParse(values);
if (!args.success) {
  const issue = args.error.issues[0]!;
  usage(`--${String(issue.path[0])}: ${issue.message}`);
}
const a = args.data!;
const config = configOrExit();
const own = ownBroker(new URL(a.url), config);
if (own && !a["same-broker"]) usage(`refusing ${a.url}: ${own}, so the bridge would store the window again; give --same-broker to do it anyway`);

const store = await openStore(config.databaseUrl);
let client: mqtt.MqttClient | null = null;
try {
  const estimate = await store.countMessages(a.from, a.to);
  client = await mqtt.connectAsync(a.url, { clientId: `fleetscope-replay-${process.pid}`, clean: true, reconnectPeriod: 0, username: a.username, password: a.password });
  client.on("error", () => undefined); // the pending publish reports it
  say(`${new Date(a.from).toISOString()} to ${new Date(a.to).toISOString()}${a.filter ? ` on ${a.filter}` : ""} into ${a.url} at ${a.speed}×, ≤${estimate} messages`);
  const started = performance.now();
  let lastPrint = started;
  const totals = await replayWindow({
    source: store,
    client,
    from: a.from,
    to: a.to,
    filter: a.filter,
    speed: a.speed,
    onPublish: (t, m, lag) => {
      const wall = performance.now();
      if (wall - lastPrint < 1000) return;
      lastPrint = wall;
      say(progressLine(t, estimate, m.ts, lag));
    },
  });
  say(totalsLine(totals, performance.now() - started));
} catch (err) {
  process.stderr.write(`fleetscope replay: failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await client?.endAsync().catch(() => undefined);
  await store.close();
}
