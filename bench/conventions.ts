/**
 * The device conventions' cost, in the bridge's decode step (lib/bridge/decode.ts), in process:
 * - the seam on the demo stream: every built-in convention asked, against the demo convention
 *   alone on the same messages (target ≥ 0.95);
 * - a mixed stream (Sparkplug B protobuf, Zigbee2MQTT, Home Assistant, Tasmota, Homie and demo
 *   JSON, after their descriptions) against the demo stream, the same number of messages, both
 *   through every convention (target ≥ 0.8).
 * Decode is the part of ingest the conventions add to; the bridge's sockets, spool and store are
 * the same whichever convention a message is in, and `npm run bench -- ingest` measures them.
 */
import { get } from "sparkplug-payload";
import { decodeMessage, type Received } from "../lib/bridge/decode";
import { BUILT_IN_CONVENTIONS } from "../lib/devices/builtin";
import type { Convention } from "../lib/devices/convention";
import { demo } from "../lib/devices/conventions/demo";
import { asEpochMs } from "../lib/devices/model";
import { Interpreter } from "../lib/devices/registry";
import { median } from "./median";
import type { BenchResult } from "./run";

const MESSAGES = Number(process.env.BENCH_CONVENTIONS_MESSAGES ?? 200_000);
// Each round is about a second: a GC or another process on the two cores moves one by several per cent.
const ROUNDS = 9;
const DEVICES = 50;
const sparkplug = get("spBv1.0")!;

const msg = (topic: string, payload: string | Uint8Array, retain = false): Received => ({
  topic,
  payload: typeof payload === "string" ? Buffer.from(payload) : payload,
  qos: 0,
  retain,
  dup: false,
});

function demoStream(count: number): Received[] {
  return Array.from({ length: count }, (_, i) =>
    msg(`fleet/bench/arm-${i % DEVICES}/telemetry`, JSON.stringify({ seq: Math.floor(i / DEVICES) + 1, temp: 40 + (i % 7) / 10, current: 1.2, joints: [1, 2, 3, 4, 5, 6] })),
  );
}

/** What each convention needs before its data means anything: births, descriptions, discovery. */
function descriptions(): Received[] {
  const out: Received[] = [];
  const z2mDevices = [{ ieee_address: "0x0000000000000000", type: "Coordinator", friendly_name: "Coordinator" }];
  for (let d = 0; d < DEVICES; d++) {
    out.push(
      msg(
        `spBv1.0/bench/NBIRTH/edge-${d}`,
        sparkplug.encodePayload({
          timestamp: 1,
          seq: 0,
          metrics: [
            { name: "bdSeq", type: "Int64", value: 0 },
            { name: "Node Control/Rebirth", type: "Boolean", value: false },
            { name: "Inputs/temperature", alias: 1, type: "Float", value: 20, properties: { engUnit: { type: "String", value: "°C" } } },
            { name: "Inputs/pressure", alias: 2, type: "Double", value: 101, properties: { engUnit: { type: "String", value: "kPa" } } },
          ],
        }),
      ),
    );
    z2mDevices.push({
      ieee_address: `0x00158d0000${String(d).padStart(6, "0")}`,
      type: "EndDevice",
      friendly_name: `room ${d}/sensor`,
      definition: {
        model: "WSDCGQ11LM",
        vendor: "Aqara",
        exposes: [
          { type: "numeric", name: "temperature", property: "temperature", unit: "°C", access: 1 },
          { type: "numeric", name: "humidity", property: "humidity", unit: "%", access: 1 },
        ],
      },
    } as (typeof z2mDevices)[number]);
    out.push(
      msg(
        `homeassistant/sensor/bench-${d}/temperature/config`,
        JSON.stringify({ name: "Temperature", stat_t: `benchha/${d}/state`, val_tpl: "{{ value_json.temperature }}", unit_of_meas: "°C", dev: { ids: [`benchha_${d}`], name: `HA ${d}` } }),
        true,
      ),
      msg(`homie/5/bench-${d}/$description`, JSON.stringify({ homie: "5.0", version: 1, name: `Bench ${d}`, nodes: { sensor: { properties: { temperature: { datatype: "float", unit: "°C" } } } } }), true),
      msg(`homie/5/bench-${d}/$state`, "ready", true),
    );
  }
  out.push(msg("zigbee2mqtt/bridge/devices", JSON.stringify(z2mDevices), true));
  return out;
}

function mixedStream(count: number): Received[] {
  const seq = new Array<number>(DEVICES).fill(0);
  const kinds: ((d: number, i: number) => Received)[] = [
    (d, i) => msg(`fleet/bench/arm-${d}/telemetry`, JSON.stringify({ seq: i + 1, temp: 40 + (i % 7) / 10, current: 1.2 })),
    (d, i) => {
      seq[d] = (seq[d]! + 1) % 256;
      return msg(
        `spBv1.0/bench/NDATA/edge-${d}`,
        sparkplug.encodePayload({ timestamp: i, seq: seq[d], metrics: [{ alias: 1, type: "Float", value: 20 + (i % 5) }, { alias: 2, type: "Double", value: 101.5 }] }),
      );
    },
    (d, i) => msg(`zigbee2mqtt/room ${d}/sensor`, JSON.stringify({ temperature: 21 + (i % 3), humidity: 40, linkquality: 120 })),
    (d, i) => msg(`benchha/${d}/state`, JSON.stringify({ temperature: 21 + (i % 3) })),
    (d, i) => msg(`tele/tasmota_${d}/SENSOR`, JSON.stringify({ Time: "2026-12-03T12:00:00", ENERGY: { Power: 40 + (i % 9), Voltage: 230, Current: 0.18 }, TempUnit: "C" })),
    (d, i) => msg(`homie/5/bench-${d}/sensor/temperature`, String(21 + (i % 4) / 4)),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(Math.floor(i / kinds.length) % DEVICES, i));
}

/** Messages decoded per second, after the descriptions are read (not timed). */
function rate(conventions: readonly Convention<never>[], stream: readonly Received[], before: readonly Received[] = []): number {
  const interpreter = new Interpreter(conventions);
  const now = asEpochMs(Date.now());
  for (const m of before) decodeMessage(m, now, interpreter);
  const start = performance.now();
  for (const m of stream) decodeMessage(m, now, interpreter);
  return (stream.length / (performance.now() - start)) * 1000;
}

/** The conventions whose devices a stream's messages reached: a mixed stream that reached few measures nothing. */
function reached(stream: readonly Received[], before: readonly Received[]): Set<string> {
  const interpreter = new Interpreter(BUILT_IN_CONVENTIONS);
  const now = asEpochMs(Date.now());
  for (const m of before) decodeMessage(m, now, interpreter);
  const out = new Set<string>();
  for (const m of stream.slice(0, 600)) for (const d of decodeMessage(m, now, interpreter).devices) if (d.values) out.add(d.convention ?? "demo");
  return out;
}

export async function benchConventions(): Promise<BenchResult[]> {
  const demoMsgs = demoStream(MESSAGES);
  const mixed = mixedStream(MESSAGES);
  const before = descriptions();
  const got = reached(mixed, before);
  if (got.size < 6) throw new Error(`the mixed stream gives measurements in only ${[...got].join(", ")}: the bench would not measure every convention`);
  const demoOnly = [demo as Convention<never>];
  const alone: number[] = [];
  const all: number[] = [];
  const mixedAll: number[] = [];
  // In turns, so a slow second on a shared core falls on each in about equal measure.
  for (let r = 0; r < ROUNDS; r++) {
    alone.push(rate(demoOnly, demoMsgs));
    all.push(rate(BUILT_IN_CONVENTIONS, demoMsgs, before));
    mixedAll.push(rate(BUILT_IN_CONVENTIONS, mixed, before));
  }
  return [
    { name: "decode, demo stream, every convention asked (target ratio ≥ 0.95)", value: median(all), unit: "msgs/s", reference: median(alone), referenceName: "the demo convention alone" },
    { name: "decode, mixed-convention stream (target ratio ≥ 0.8)", value: median(mixedAll), unit: "msgs/s", reference: median(all), referenceName: "the demo stream, every convention asked" },
  ];
}
