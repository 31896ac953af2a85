/**
 * A fleet of `DEVICES` devices published round-robin at `RATE` messages per second in total, for
 * `SECONDS`, over one MQTT connection. Each payload carries the time it was sent (`sent`), so a
 * page can tell how late it shows it. Run as a child process of bench/overview.ts.
 *
 * CONVENTION `demo` (default): `fleet/<site>/<id>/telemetry` JSON. `sparkplug`: Sparkplug B edge
 * nodes of 100 devices each, NBIRTH and DBIRTHs (names, aliases, units) first, then DDATA by
 * alias only, one seq per edge node wrapping 255 → 0, as a real edge node sends them. `plain`:
 * `plant/<site>/d-<id>/temp` JSON that no convention reads (the topic tree's bench: the tree alone).
 */
import mqtt from "mqtt";
import { get } from "sparkplug-payload";

const [url, devices, rate, seconds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const convention = process.argv[6] ?? "demo";
const client = await mqtt.connectAsync(url, { clientId: `bench-overview-pub-${process.pid}` });
const TICK_MS = 10;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));

const DEVICES_PER_EDGE = 100;
const codec = get("spBv1.0")!;
const edgeOf = (d: number) => `e-${String(Math.floor(d / DEVICES_PER_EDGE)).padStart(2, "0")}`;
const deviceOf = (d: number) => `d-${String(d).padStart(4, "0")}`;
const edgeSeq = new Array<number>(Math.ceil(devices / DEVICES_PER_EDGE)).fill(0);
const nextSeq = (d: number) => {
  const e = Math.floor(d / DEVICES_PER_EDGE);
  const s = edgeSeq[e]!;
  edgeSeq[e] = (s + 1) % 256;
  return s;
};

function sparkplugBirths() {
  for (let e = 0; e < edgeSeq.length; e++) {
    const edge = edgeOf(e * DEVICES_PER_EDGE);
    const nbirth = { timestamp: Date.now(), seq: nextSeq(e * DEVICES_PER_EDGE), metrics: [{ name: "bdSeq", type: "Int64" as const, value: 0 }, { name: "Node Control/Rebirth", alias: 1, type: "Boolean" as const, value: false }] };
    client.publish(`spBv1.0/bench/NBIRTH/${edge}`, Buffer.from(codec.encodePayload(nbirth)), { qos: 0 });
    for (let d = e * DEVICES_PER_EDGE; d < Math.min(devices, (e + 1) * DEVICES_PER_EDGE); d++) {
      const metrics = [
        { name: "temp", alias: 10, type: "Double" as const, value: 20 + (d % 50), properties: { engUnit: { type: "String" as const, value: "°C" } } },
        { name: "sent", alias: 11, type: "Double" as const, value: Date.now() },
      ];
      client.publish(`spBv1.0/bench/DBIRTH/${edge}/${deviceOf(d)}`, Buffer.from(codec.encodePayload({ timestamp: Date.now(), seq: nextSeq(d), metrics })), { qos: 0 });
    }
  }
}

const seq = new Array<number>(devices).fill(0);
function publishOne(d: number) {
  if (convention === "sparkplug") {
    const metrics = [{ alias: 10, type: "Double" as const, value: 20 + (d % 50) }, { alias: 11, type: "Double" as const, value: Date.now() }];
    const payload = codec.encodePayload({ timestamp: Date.now(), seq: nextSeq(d), metrics });
    client.publish(`spBv1.0/bench/DDATA/${edgeOf(d)}/${deviceOf(d)}`, Buffer.from(payload), { qos: 0 });
    return;
  }
  seq[d]!++;
  if (convention === "plain") {
    client.publish(`plant/s${d % 10}/d-${d}/temp`, `{"seq":${seq[d]},"sent":${Date.now()},"temp":${20 + (d % 50)}}`, { qos: 0 });
    return;
  }
  client.publish(`fleet/s${d % 10}/d-${String(d).padStart(4, "0")}/telemetry`, `{"seq":${seq[d]},"sent":${Date.now()},"temp":${20 + (d % 50)}}`, { qos: 0 });
}

if (convention === "sparkplug") sparkplugBirths();
let next = 0;
let sent = 0;
const start = Date.now();
const timer = setInterval(() => {
  // Catch up with the schedule, so a slow tick does not lower the rate.
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  for (let n = 0; n < Math.max(perTick, due - sent) && sent < due + perTick; n++) {
    publishOne(next++ % devices);
    sent++;
  }
  if (Date.now() - start >= seconds * 1000) {
    clearInterval(timer);
    void client.endAsync().then(() => {
      process.stdout.write(`${sent}\n`);
      process.exit(0);
    });
  }
}, TICK_MS);
