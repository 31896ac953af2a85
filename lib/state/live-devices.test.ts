import { describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../devices/model";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { applyMessages as apply, headlineField, mergeKnownDevices, messageRate, RATE_WINDOW, type LiveDevices } from "./live-devices";
import { LIVE_POINTS, toPoints } from "./live-series";

const empty: LiveDevices = new Map();
// Each call reads with a fresh interpreter: the demo convention learns nothing between messages.
const applyMessages = (devices: LiveDevices, batch: Parameters<typeof apply>[1]) => apply(devices, batch, new Interpreter(BUILT_IN_CONVENTIONS));
const tele = (device: string, payload: string, ts: number) => ({ topic: `fleet/lab/${device}/telemetry`, payload, retain: false, ts });

describe("applyMessages", () => {
  it("adds a device on its first telemetry with its latest values and a point per field", () => {
    const next = applyMessages(empty, [tele("arm-99", '{"seq":1,"temp":41.5}', 10), tele("arm-99", '{"seq":2,"temp":42}', 20)]);
    const d = next.get("arm-99")!;
    expect(d).toMatchObject({ site: "lab", status: "unknown", lastSeen: 20, values: { temp: 42 } });
    expect(toPoints(d.series.temp!)).toEqual([{ t: 10, v: 41.5, seq: 1 }, { t: 20, v: 42, seq: 2 }]);
  });

  it("returns the same map when nothing in the batch concerns a device", () => {
    expect(applyMessages(empty, [{ topic: "other/topic", payload: "1", retain: false, ts: 1 }])).toBe(empty);
  });

  it("leaves devices the batch did not touch as the same objects, so their cards do not re-render", () => {
    const a = applyMessages(empty, [tele("a", '{"x":1}', 1), tele("b", '{"x":1}', 1)]);
    const b = applyMessages(a, [tele("a", '{"x":2}', 2)]);
    expect(b.get("b")).toBe(a.get("b"));
    expect(b.get("a")).not.toBe(a.get("a"));
  });

  it("takes status from the status topic; a retained one does not move last seen", () => {
    const next = applyMessages(empty, [{ topic: "fleet/lab/a1/status", payload: "offline", retain: true, ts: 99 }]);
    expect(next.get("a1")).toMatchObject({ status: "offline", lastSeen: 0 });
  });
});

describe("bounded live series", () => {
  it("keeps at most LIVE_POINTS per field, dropping the oldest, within one batch and across batches", () => {
    const batch = Array.from({ length: LIVE_POINTS + 5 }, (_, i) => tele("a", `{"x":${i}}`, i));
    const once = toPoints(applyMessages(empty, batch).get("a")!.series.x!);
    expect(once).toHaveLength(LIVE_POINTS);
    expect(once[0]!.t).toBe(5);
    const again = toPoints(applyMessages(applyMessages(empty, batch), [tele("a", '{"x":-1}', 9999)]).get("a")!.series.x!);
    expect(again).toHaveLength(LIVE_POINTS);
    expect(again.at(-1)!.t).toBe(9999);
    expect(again[0]!.t).toBe(6);
  });

  it("does not change the series of the state it was given, even when that state is applied to twice", () => {
    const before = applyMessages(empty, [tele("a", '{"x":1}', 1)]);
    const series = before.get("a")!.series.x!;
    const first = applyMessages(before, [tele("a", '{"x":2}', 2)]);
    const second = applyMessages(before, [tele("a", '{"x":3}', 3)]);
    expect(toPoints(series)).toEqual([{ t: 1, v: 1 }]);
    expect(toPoints(first.get("a")!.series.x!)).toEqual([{ t: 1, v: 1 }, { t: 2, v: 2 }]);
    expect(toPoints(second.get("a")!.series.x!)).toEqual([{ t: 1, v: 1 }, { t: 3, v: 3 }]);
  });
});

describe("mergeKnownDevices", () => {
  it("adds stored devices and lets live status win over stored", () => {
    const live = applyMessages(empty, [{ topic: "fleet/lab/a1/status", payload: "online", retain: false, ts: 50 }]);
    const merged = mergeKnownDevices(live, [
      { id: asDeviceId("a1"), site: "lab", status: "offline", lastSeen: asEpochMs(10), fields: [] },
      { id: asDeviceId("a2"), site: "lab", status: "offline", lastSeen: asEpochMs(10), fields: ["temp"] },
    ]);
    expect(merged.get("a1")).toMatchObject({ status: "online", lastSeen: 50 });
    expect(merged.get("a2")).toMatchObject({ status: "offline", lastSeen: 10 });
  });

  it("shows a device's stored latest values until live ones replace them", () => {
    const live = applyMessages(empty, [tele("a1", '{"temp":30}', 50)]);
    const merged = mergeKnownDevices(live, [
      { id: asDeviceId("a1"), site: "lab", status: "online", lastSeen: asEpochMs(40), fields: ["rpm", "temp"], values: { temp: { value: 20, ts: asEpochMs(40) }, rpm: { value: 900, ts: asEpochMs(30) } } },
      { id: asDeviceId("a2"), site: "lab", status: "offline", lastSeen: asEpochMs(10), fields: ["temp"], values: { temp: { value: 7, ts: asEpochMs(10) } } },
    ]);
    expect(merged.get("a1")!.values).toEqual({ rpm: 900, temp: 30 });
    expect(merged.get("a2")!.values).toEqual({ temp: 7 });
    // Nothing new to say: the live device stays the same object, and its card does not re-render.
    const again = mergeKnownDevices(merged, [{ id: asDeviceId("a1"), site: "lab", status: "online", lastSeen: asEpochMs(40), fields: ["temp"], values: { temp: { value: 20, ts: asEpochMs(40) } } }]);
    expect(again.get("a1")).toBe(merged.get("a1"));
  });
});

describe("headlineField", () => {
  it("prefers temp, else the first field", () => {
    const d = applyMessages(empty, [tele("a", '{"b":1,"temp":2}', 1), tele("c", '{"z":1,"b":2}', 1)]);
    expect(headlineField(d.get("a")!)).toBe("temp");
    expect(headlineField(d.get("c")!)).toBe("b");
  });
});

describe("messageRate", () => {
  it("measures telemetry messages per second over the recent arrivals", () => {
    let d = applyMessages(empty, []);
    for (let i = 0; i < 30; i++) d = applyMessages(d, [tele("a", `{"seq":${i},"x":1}`, 1000 + i * 500)]);
    const arrivals = d.get("a")!.arrivals;
    expect(arrivals).toHaveLength(RATE_WINDOW);
    expect(messageRate(arrivals, arrivals.at(-1)!)).toBeCloseTo(2);
  });

  it("is 0 for a device that went quiet or has spoken once", () => {
    expect(messageRate([0, 500, 1000], 20_000)).toBe(0);
    expect(messageRate([1000], 1000)).toBe(0);
  });
});

describe("the message rate", () => {
  it("leaves retained values out: a tab that subscribes gets them all at once, and none was sent now", () => {
    const retained = Array.from({ length: 20 }, (_, i) => ({ ...tele("arm-98", `{"seq":${i},"temp":40}`, 1000 + i), retain: true }));
    const d = applyMessages(new Map(), retained).get(asDeviceId("arm-98"))!;
    expect(d.values.temp).toBe(40);
    expect(d.arrivals).toEqual([]);
    expect(messageRate(d.arrivals, 1100)).toBe(0);
  });
});
