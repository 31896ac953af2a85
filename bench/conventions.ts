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
import { decodeMessage, type Received } from "../lib/bridge/decode";
import { BUILT_IN_CONVENTIONS } from "../lib/devices/builtin";
import type { Convention } from "../lib/devices/convention";
import { demo } from "../lib/devices/conventions/demo";
import { asEpochMs } from "../lib/devices/model";
import { Interpreter } from "../lib/devices/registry";
import { demoStream, descriptions, mixedStream } from "./convention-streams";
import { median } from "./median";
import type { BenchResult } from "./run";

const MESSAGES = Number(process.env.BENCH_CONVENTIONS_MESSAGES ?? 200_000);
// Each round is about a second: a GC or another process on the two cores moves one by several per cent.
const ROUNDS = Number(process.env.BENCH_CONVENTIONS_ROUNDS ?? 9);
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
