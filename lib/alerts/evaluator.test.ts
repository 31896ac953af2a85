import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { AlertEvaluator } from "./evaluator";
import type { Observation } from "./observation";
import { alertRuleSchema, DEFAULT_NO_DATA_MS } from "./rule";
import type { Transition } from "./state";

const rule = (extra: object = {}) => alertRuleSchema.parse({ id: "hot", name: "Hot motor", severity: "major", kind: "threshold", field: "temp", op: "above", value: 30, ...extra });
const ARM = { id: asDeviceId("arm-01"), group: "lab", convention: "demo" };
const TOPIC = "fleet/lab/arm-01/telemetry";
const msg = (t: number, values: Record<string, unknown>, device = ARM, topic = TOPIC): Observation => ({ type: "message", device, t, topic, values });
const live = (t: number, status: "online" | "offline", reason = status === "offline" ? "LWT offline" : "status online"): Observation => ({ type: "liveness", device: ARM, t, status, reason });
const moves = (ts: Transition[]) => ts.map((t) => `${t.from}→${t.to}`);

function run(ev: AlertEvaluator, obs: Observation[]): Transition[] {
  return obs.flatMap((o) => ev.observe(o));
}

describe("threshold: pending, firing, resolved", () => {
  it("goes pending on a crossing value and fires when `for` has passed, at the tick it asked for", () => {
    const ev = new AlertEvaluator([rule({ forMs: "10s" })]);
    expect(ev.observe(msg(1000, { temp: 31 }))).toMatchObject([{ from: "normal", to: "pending", at: 1000, value: 31, reason: "temp 31 above 30" }]);
    expect(ev.nextTickAt()).toBe(11_000);
    expect(ev.tick(10_999)).toEqual([]);
    expect(ev.tick(11_000)).toMatchObject([{ from: "pending", to: "firing", at: 11_000, reason: "temp 31 above 30 for 10s", value: 31 }]);
    expect(ev.state("hot", ARM.id)).toMatchObject({ status: "firing", firedAt: 11_000 });
  });

  it("fires at once with for 0, and resolves when the value goes back", () => {
    const ev = new AlertEvaluator([rule()]);
    expect(moves(run(ev, [msg(0, { temp: 31 }), msg(100, { temp: 32 }), msg(200, { temp: 29 })]))).toEqual(["normal→firing", "firing→resolved"]);
    expect(ev.state("hot", ARM.id)).toMatchObject({ resolvedAt: 200, firedAt: 0 });
  });

  it("raises no false alarm for an integer threshold against double telemetry: 30, 30.0, \"30\", 3e1", () => {
    const ev = new AlertEvaluator([rule()]);
    expect(run(ev, [30, 30.0, "30", 3e1, "3e1", "30.000", 0.1 * 300].map((v, i) => msg(i, { temp: v })))).toEqual([]);
    expect(moves(ev.observe(msg(10, { temp: "30.5" })))).toEqual(["normal→firing"]);
  });

  it("takes booleans, text and NaN as no data: they change nothing and refresh no silence", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    expect(run(ev, [true, false, "ERR", null, Number.NaN, "31 °C"].map((v, i) => msg(1000 + i, { temp: v })))).toEqual([]);
    expect(ev.state("hot", ARM.id)).toMatchObject({ status: "firing", value: 31, lastDataAt: 0 });
    expect(moves(ev.tick(DEFAULT_NO_DATA_MS))).toEqual(["firing→firing_no_data"]);
  });

  it("returns pending to normal when the value goes back before `for`, saying so", () => {
    const ev = new AlertEvaluator([rule({ forMs: "10s" })]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.observe(msg(5000, { temp: 29 }))).toMatchObject([{ from: "pending", to: "normal", reason: "temp 29 at or below 30 before 10s had passed" }]);
    expect(ev.tick(20_000)).toEqual([]);
  });

  it("does not flap near the threshold with a clear value: one firing, one resolve", () => {
    const values = [31, 29.5, 30.5, 29, 30.2, 28.5, 30.01, 27.9, 29, 29.9];
    const withClear = new AlertEvaluator([rule({ clear: 28 })]);
    const without = new AlertEvaluator([rule()]);
    const a = run(withClear, values.map((v, i) => msg(i * 1000, { temp: v })));
    const b = run(without, values.map((v, i) => msg(i * 1000, { temp: v })));
    expect(moves(a)).toEqual(["normal→firing", "firing→resolved"]);
    expect(a[1]).toMatchObject({ at: 7000, value: 27.9, reason: "temp 27.9 at or below clear 28" });
    expect(b.length).toBeGreaterThan(4);
  });

  it("keeps firing for keep-firing-for after the value goes back, resolving at the tick it asked for", () => {
    const ev = new AlertEvaluator([rule({ keepFiringForMs: "1m" })]);
    run(ev, [msg(0, { temp: 31 }), msg(1000, { temp: 25 })]);
    expect(ev.state("hot", ARM.id)?.status).toBe("firing");
    expect(ev.nextTickAt()).toBe(61_000);
    expect(ev.observe(msg(30_000, { temp: 26 }))).toEqual([]);
    expect(ev.tick(61_000)).toMatchObject([{ from: "firing", to: "resolved", reason: "temp 26 at or below 30 for 1m (keep-firing-for)" }]);
  });

  it("starts a new episode after a resolve", () => {
    const ev = new AlertEvaluator([rule({ forMs: "10s" })]);
    run(ev, [msg(0, { temp: 31 })]);
    ev.tick(10_000);
    run(ev, [msg(20_000, { temp: 20 }), msg(30_000, { temp: 35 })]);
    ev.tick(40_000);
    expect(ev.state("hot", ARM.id)!.recent.map((t) => `${t.from}→${t.to}`)).toEqual(["normal→pending", "pending→firing", "firing→resolved", "resolved→pending", "pending→firing"]);
    expect(ev.state("hot", ARM.id)!.firedAt).toBe(40_000);
  });

  it("ignores a value older than the newest one", () => {
    const ev = new AlertEvaluator([rule()]);
    run(ev, [msg(2000, { temp: 20 })]);
    expect(ev.observe(msg(1000, { temp: 99 }))).toEqual([]);
  });
});

describe("threshold: a device that dies while firing never resolves on its own", () => {
  it("becomes firing_no_data on its LWT, stays so for days of ticks, and keeps it after reconnecting until a value comes", () => {
    const ev = new AlertEvaluator([rule({ keepFiringForMs: "1m" })]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.observe(live(1000, "offline"))).toMatchObject([{ from: "firing", to: "firing_no_data", reason: "device offline: LWT offline", value: 31 }]);
    for (let t = 2000; t < 7 * 86_400_000; t += 600_000) expect(ev.tick(t)).toEqual([]);
    expect(ev.nextTickAt()).toBeNull();
    expect(ev.observe(live(7 * 86_400_000, "online"))).toEqual([]);
    expect(ev.state("hot", ARM.id)!.status).toBe("firing_no_data");
    const back = 7 * 86_400_000 + 500;
    expect(ev.observe(msg(back, { temp: 25 }))).toMatchObject([{ from: "firing_no_data", to: "firing", reason: expect.stringMatching(/^data back: temp 25/) }]);
    expect(ev.tick(back + 60_000)).toMatchObject([{ to: "resolved" }]);
  });

  it("does not resolve when the device is no longer said offline but sends no value (status unknown)", () => {
    const ev = new AlertEvaluator([rule()]);
    run(ev, [msg(0, { temp: 31 }), live(1000, "offline")]);
    expect(ev.observe({ type: "liveness", device: ARM, t: 2000, status: "unknown", reason: "retained status cleared" })).toEqual([]);
    expect(ev.state("hot", ARM.id)!.status).toBe("firing_no_data");
  });

  it("knows a device is offline in a state made after it went offline", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(live(0, "offline"));
    ev.observe(msg(10, { temp: 31 }));
    expect(ev.state("hot", ARM.id)).toMatchObject({ status: "normal", liveness: { status: "offline" } });
  });

  it("becomes firing_no_data when the value stops for noDataMs, at the tick it asked for", () => {
    const ev = new AlertEvaluator([rule({ noDataMs: "2m" })]);
    ev.observe(msg(0, { temp: 31 }));
    ev.observe(msg(30_000, { other: 1, temp: 31 }));
    // Early, never late: the deadline the first value set still stands until a tick looks again.
    expect(ev.nextTickAt()).toBe(120_000);
    expect(ev.tick(120_000)).toEqual([]);
    expect(ev.nextTickAt()).toBe(150_000);
    expect(ev.tick(149_999)).toEqual([]);
    expect(ev.tick(150_000)).toMatchObject([{ to: "firing_no_data", reason: "no temp for 2m" }]);
    expect(moves(ev.observe(msg(200_000, { temp: 40 })))).toEqual(["firing_no_data→firing"]);
  });

  it("returns a pending alert to normal when the device goes offline", () => {
    const ev = new AlertEvaluator([rule({ forMs: "10s" })]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.observe(live(5000, "offline"))).toMatchObject([{ from: "pending", to: "normal", reason: "device offline: LWT offline: the 10s cannot be confirmed" }]);
    expect(ev.tick(20_000)).toEqual([]);
  });

  it("asks for no tick for a normal alert whose device went quiet", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 20 }));
    expect(ev.nextTickAt()).toBeNull();
  });
});

describe("selectors", () => {
  it("watches only the devices, group and topics the rule selects", () => {
    const ev = new AlertEvaluator([rule({ devices: ["arm-01"], topic: "fleet/+/+/telemetry" })]);
    const other = { id: asDeviceId("arm-02"), group: "lab", convention: "demo" };
    expect(ev.observe(msg(0, { temp: 50 }, other, "fleet/lab/arm-02/telemetry"))).toEqual([]);
    expect(ev.observe(msg(0, { temp: 50 }, ARM, "fleet/lab/arm-01/diag"))).toEqual([]);
    expect(ev.states()).toEqual([]);
    expect(moves(ev.observe(msg(0, { temp: 50 })))).toEqual(["normal→firing"]);
    // The device is the rule's now: its liveness, which has no topic, reaches the state.
    expect(moves(ev.observe(live(10, "offline")))).toEqual(["firing→firing_no_data"]);
  });

  it("keeps one state per rule and device", () => {
    const ev = new AlertEvaluator([rule(), rule({ id: "cold", name: "Cold", op: "below", value: 5 })]);
    const b = { id: asDeviceId("arm-02"), group: "lab", convention: "demo" };
    run(ev, [msg(0, { temp: 31 }), msg(0, { temp: 2 }, b)]);
    expect(ev.states().map((s) => `${s.rule}/${s.device}/${s.status}`).sort()).toEqual(["cold/arm-01/normal", "cold/arm-02/firing", "hot/arm-01/firing", "hot/arm-02/normal"]);
  });

  it("refuses new states past its limit, and counts them", () => {
    const ev = new AlertEvaluator([rule()], 2);
    for (let i = 0; i < 5; i++) ev.observe(msg(0, { temp: 1 }, { id: asDeviceId(`d${i}`), group: "g", convention: "demo" }));
    expect(ev.states()).toHaveLength(2);
    expect(ev.refused).toBe(3);
  });
});

describe("acknowledge", () => {
  it("is a flag on an open alert: who, when, why; kept while firing without data; cleared on resolve", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.ack("hot", ARM.id, "ops", "on my way", 500)).toMatchObject({ ok: true, state: { status: "firing", ack: { by: "ops", at: 500, comment: "on my way" } } });
    ev.observe(live(1000, "offline"));
    expect(ev.state("hot", ARM.id)!.ack).toMatchObject({ by: "ops" });
    run(ev, [live(2000, "online"), msg(3000, { temp: 20 })]);
    expect(ev.state("hot", ARM.id)).toMatchObject({ status: "resolved", ack: null });
  });

  it("refuses an alert that is not open, or not there, with the reason", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 20 }));
    expect(ev.ack("hot", ARM.id, "ops", "", 1)).toEqual({ ok: false, reason: "the alert is normal: only a pending or firing alert is acknowledged" });
    expect(ev.ack("hot", asDeviceId("nope"), "ops", "", 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/^no alert/) });
  });

  it("is no transition", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    ev.ack("hot", ARM.id, "ops", "x", 1);
    expect(ev.state("hot", ARM.id)!.recent).toHaveLength(1);
  });
});

describe("changing the rules", () => {
  it("resolves a deleted rule's firing alerts, saying why, and forgets them", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.setRules([], 100)).toMatchObject([{ from: "firing", to: "resolved", reason: "rule deleted" }]);
    expect(ev.states()).toEqual([]);
  });

  it("keeps the state when only a number changed, and ends it when what the rule reads changed", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.setRules([rule({ value: 35 })], 10)).toEqual([]);
    expect(moves(ev.observe(msg(20, { temp: 33 })))).toEqual(["firing→resolved"]);
    ev.observe(msg(30, { temp: 40 }));
    expect(ev.setRules([rule({ field: "current" })], 40)).toMatchObject([{ to: "resolved", reason: "rule changed what it reads" }]);
    expect(ev.setRules([rule({ field: "current", group: "plant" })], 50)).toEqual([]);
  });

  it("ends the alerts of devices the rule no longer selects", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 31 }));
    expect(ev.setRules([rule({ group: "plant" })], 10)).toMatchObject([{ to: "resolved", reason: "rule no longer selects the device" }]);
  });
});

describe("takeDirty", () => {
  it("hands out each changed state once", () => {
    const ev = new AlertEvaluator([rule()]);
    ev.observe(msg(0, { temp: 20 }));
    ev.observe(msg(1, { temp: 21 }));
    expect(ev.takeDirty().map((s) => s.value)).toEqual([21]);
    expect(ev.takeDirty()).toEqual([]);
  });
});
