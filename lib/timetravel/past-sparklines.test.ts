import { expect, it } from "vitest";
import { asEpochMs, type DeviceWithValues } from "../devices/model";
import { createFleetStore } from "../state/fleet-store";
import { headlineField } from "../state/live-devices";
import { toPoints } from "../state/live-series";
import type { HistoryBucket } from "../state/history-merge";
import { pastAt } from "../state/past-view";
import { loadPastSparklines, PAST_SPARK_MS } from "./past-sparklines";
import type { PastApi } from "./past-session";

const AT = 1_800_000_000_000;
const device = (id: string, values: Record<string, number>): DeviceWithValues => ({
  id: id as DeviceWithValues["id"],
  site: "plant-a",
  name: id,
  convention: "demo",
  status: "online",
  statusReason: null,
  since: null,
  lastSeen: asEpochMs(AT),
  fields: Object.keys(values),
  values: Object.fromEntries(Object.entries(values).map(([f, value]) => [f, { value, ts: asEpochMs(AT) }])),
  meta: {},
} as DeviceWithValues);

/** GET /api/series as the route answers: buckets of the asked field in [from, to], or an error for arm-03. */
function seriesServer() {
  const asked: URLSearchParams[] = [];
  const api: Pick<PastApi, "getSeries"> = {
    getSeries: async (query) => {
      const q = new URLSearchParams(query);
      asked.push(q);
      if (q.get("device") === "arm-03") throw new Error("HTTP 500");
      const from = Number(q.get("from"));
      const points: HistoryBucket[] = [0, 1, 2].map((i) => ({ t: from + i * 1000, avg: 40 + i, min: 40 + i, max: 40 + i, last: 40 + i, count: 1 }));
      return { device: q.get("device")!, field: q.get("field")!, from, to: Number(q.get("to")), bucketMs: 1000, points };
    },
  };
  return { api, asked };
}

it("fills each card's headline field up to the cursor, and says which could not be read", async () => {
  const fleet = createFleetStore("ws://x/mqtt", [], pastAt(AT));
  fleet.getState().loadKnown([device("arm-01", { current: 1, temp: 40 }), device("arm-02", { rpm: 900 }), device("arm-03", { temp: 1 })]);
  const { api, asked } = seriesServer();
  const failure = await loadPastSparklines(fleet, AT, api, new AbortController().signal);
  expect(asked.map((q) => [q.get("device"), q.get("field"), Number(q.get("to")) - Number(q.get("from"))])).toEqual([
    ["arm-01", "temp", PAST_SPARK_MS],
    ["arm-02", "rpm", PAST_SPARK_MS],
    ["arm-03", "temp", PAST_SPARK_MS],
  ]);
  const devices = fleet.getState().devices;
  expect(headlineField(devices.get("arm-01")!)).toBe("temp");
  expect(toPoints(devices.get("arm-01")!.series.temp!).map((p) => [p.t - (AT - PAST_SPARK_MS), p.v])).toEqual([[0, 40], [1000, 41], [2000, 42]]);
  expect(toPoints(devices.get("arm-02")!.series.rpm!)).toHaveLength(3);
  expect(devices.get("arm-03")!.series).toEqual({});
  expect(failure).toBe("sparkline of arm-03: HTTP 500");
});

it("leaves a series playback has already begun as it is", async () => {
  const fleet = createFleetStore("ws://x/mqtt", [], pastAt(AT));
  fleet.getState().loadKnown([device("arm-01", { temp: 40 })]);
  fleet.getState().loadSeries([{ device: "arm-01", field: "temp", points: [{ t: AT + 500, v: 50 }] }]);
  await loadPastSparklines(fleet, AT, seriesServer().api, new AbortController().signal);
  expect(toPoints(fleet.getState().devices.get("arm-01")!.series.temp!)).toEqual([{ t: AT + 500, v: 50 }]);
});
