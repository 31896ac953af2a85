import { expect, it } from "vitest";
import type { TopicMessage } from "../topics/tree";
import { createReplayHandle } from "./replay-handle";

const msg = (topic: string, ts: number): TopicMessage => ({ topic, payload: new TextEncoder().encode(String(ts)), qos: 0, retain: false, ts });

function watch(handle: ReturnType<typeof createReplayHandle>, filter: string) {
  const got: TopicMessage[] = [];
  const states: string[] = [];
  // Unwatching flushes the watch's frame batcher: what it holds is handed over at once.
  const stop = handle.watch(filter, { onBatch: (b) => got.push(...b), onState: (s) => states.push(s.state) });
  return { got, states, stop };
}

it("starts a watch from each matching topic's latest message, then hands it what is played, in order", () => {
  const handle = createReplayHandle(() => null);
  handle.route([msg("fleet/a/arm-01/status", 1), msg("fleet/a/arm-01/status", 2), msg("lab/x", 3)]);
  const w = watch(handle, "fleet/#");
  expect(w.states).toEqual(["subscribed"]);
  handle.route([msg("fleet/a/arm-02/telemetry", 4), msg("lab/y", 5)]);
  w.stop();
  expect(w.got.map((m) => [m.topic, m.ts])).toEqual([
    ["fleet/a/arm-01/status", 2],
    ["fleet/a/arm-02/telemetry", 4],
  ]);
});

it("publishes on the live connection, and says so when there is none", async () => {
  const handle = createReplayHandle(() => null);
  await expect(handle.publish("lab/x", new Uint8Array(), { qos: 0, retain: false })).rejects.toThrow("not connected to the broker");
});

it("counts a played message on from its topic's snapshot count, so a watch added mid-playback starts there", () => {
  const handle = createReplayHandle(() => null);
  handle.route([{ ...msg("lab/x", 1), count: 41 }]);
  handle.route([msg("lab/x", 2), msg("lab/new", 3)]);
  const w = watch(handle, "#");
  w.stop();
  expect(w.got.map((m) => [m.topic, m.count])).toEqual([
    ["lab/x", 42],
    ["lab/new", undefined],
  ]);
});
