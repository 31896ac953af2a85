import { describe, expect, it } from "vitest";
import { asDeviceId, type DeviceId } from "../devices/model";
import { AlertEvaluator } from "./evaluator";
import type { Observation } from "./observation";
import { alertRuleSchema } from "./rule";

const threshold = (extra: object = {}) => alertRuleSchema.parse({ id: "hot", name: "Hot", severity: "major", kind: "threshold", field: "temp", op: "above", value: 30, ...extra });
const silence = alertRuleSchema.parse({ id: "quiet", name: "Quiet", severity: "warning", kind: "no_data", field: "temp", forMs: "5m" });
const dev = (n: number) => ({ id: asDeviceId(`arm-${String(n).padStart(2, "0")}`), group: "lab", convention: "demo" });
const ARM = dev(1);
const msg = (t: number, temp: unknown, device = ARM): Observation => ({ type: "message", device, t, topic: `fleet/lab/${device.id}/telemetry`, values: { temp } });
const MIN = 60_000;

/** Stops one evaluator at `at` and starts another from its snapshot, through JSON as the store keeps it. */
function restart(ev: AlertEvaluator, rules: Parameters<AlertEvaluator["setRules"]>[0], stoppedAt: number, startedAt: number) {
  const json: unknown = JSON.parse(JSON.stringify(ev.snapshot(stoppedAt)));
  const next = new AlertEvaluator(rules);
  const r = next.restore(json, startedAt);
  return { next, ...r };
}

describe("restore after a restart", () => {
  it("brings a firing alert back as it was, with no transition (nothing is sent twice)", () => {
    const ev = new AlertEvaluator([threshold()]);
    ev.observe(msg(0, 31));
    ev.ack("hot", ARM.id, "ops", "looking", 10);
    const { next, transitions, refused } = restart(ev, [threshold()], 1000, 61_000);
    expect(transitions).toEqual([]);
    expect(refused).toEqual([]);
    expect(next.state("hot", ARM.id)).toMatchObject({ status: "firing", firedAt: 0, ack: { by: "ops" } });
    expect(next.tick(62_000)).toEqual([]);
    expect(next.observe(msg(63_000, 32))).toEqual([]);
  });

  it("resumes a pending timer, but fires only on a fresh value that still breaches", () => {
    const ev = new AlertEvaluator([threshold({ forMs: "10s" })]);
    ev.observe(msg(0, 31));
    const { next } = restart(ev, [threshold({ forMs: "10s" })], 5000, 60_000);
    expect(next.state("hot", ARM.id)).toMatchObject({ status: "pending", activeSince: 0, awaitingData: true });
    // Only its staleness is on the clock (moved on by the 55 s downtime), not its `for`.
    expect(next.nextTickAt()).toBe(55_000 + 5 * MIN);
    expect(next.tick(60_000)).toEqual([]);
    expect(next.observe(msg(61_000, 33))).toMatchObject([{ from: "pending", to: "firing", at: 61_000 }]);

    const again = restart(ev, [threshold({ forMs: "10s" })], 5000, 60_000).next;
    expect(again.observe(msg(61_000, 20))).toMatchObject([{ from: "pending", to: "normal" }]);
  });

  it("resumes a pending timer as it was after no downtime", () => {
    const ev = new AlertEvaluator([threshold({ forMs: "10s" })]);
    ev.observe(msg(0, 31));
    const { next } = restart(ev, [threshold({ forMs: "10s" })], 5000, 5000);
    expect(next.nextTickAt()).toBe(10_000);
    expect(next.tick(10_000)).toMatchObject([{ to: "firing" }]);
  });

  it("does not resolve on keep-firing-for that ran out while stopped, before a fresh value", () => {
    const rules = [threshold({ keepFiringForMs: "1m" })];
    const ev = new AlertEvaluator(rules);
    ev.observe(msg(0, 31));
    ev.observe(msg(1000, 20));
    const { next } = restart(ev, rules, 2000, 10 * MIN);
    expect(next.tick(10 * MIN)).toEqual([]);
    expect(next.state("hot", ARM.id)!.status).toBe("firing");
    expect(next.observe(msg(10 * MIN + 1, 31))).toEqual([]);
    expect(next.observe(msg(10 * MIN + 2, 20))).toEqual([]);
    expect(next.tick(11 * MIN + 2)).toMatchObject([{ to: "resolved" }]);
  });

  it("raises no NoData storm: devices that spoke just before the stop get their whole N after the start", () => {
    const ev = new AlertEvaluator([silence]);
    for (let n = 0; n < 50; n++) ev.observe(msg(4 * MIN, 20, dev(n)));
    const start = 60 * MIN; // an hour down: every device is "silent" for 56 minutes as the clock sees it
    const { next, transitions } = restart(ev, [silence], 4 * MIN + 1000, start);
    expect(transitions).toEqual([]);
    expect(next.tick(start)).toEqual([]);
    expect(next.nextTickAt()).toBe(start + 5 * MIN - 1000);
    // Half of them speak after the start; the other half stay silent and fire, each once.
    for (let n = 0; n < 25; n++) next.observe(msg(start + MIN, 21, dev(n)));
    expect(next.tick(start + 5 * MIN - 1001)).toEqual([]);
    const fired = next.tick(start + 5 * MIN - 1000);
    expect(fired).toHaveLength(25);
    expect(new Set(fired.map((t) => t.device)).size).toBe(25);
  });

  it("keeps the silence a device had before the stop: 4 of 5 minutes silent fires a minute after the start", () => {
    const ev = new AlertEvaluator([silence]);
    ev.observe(msg(0, 20));
    const { next } = restart(ev, [silence], 4 * MIN, 30 * MIN);
    expect(next.tick(31 * MIN - 1)).toEqual([]);
    expect(next.tick(31 * MIN)).toMatchObject([{ to: "firing", device: ARM.id }]);
  });

  it("keeps a firing alert's data clock as well: no firing_no_data for the downtime itself", () => {
    const ev = new AlertEvaluator([threshold()]);
    ev.observe(msg(0, 31));
    const { next } = restart(ev, [threshold()], 1000, 30 * MIN);
    expect(next.tick(30 * MIN)).toEqual([]);
    expect(next.tick(30 * MIN + 5 * MIN - 1000)).toMatchObject([{ to: "firing_no_data" }]);
  });

  it("ends the alerts of a rule deleted while stopped", () => {
    const ev = new AlertEvaluator([threshold()]);
    ev.observe(msg(0, 31));
    const { next, transitions } = restart(ev, [], 1000, 2000);
    expect(transitions).toMatchObject([{ from: "firing", to: "resolved", reason: "rule deleted while Fleetscope was stopped" }]);
    expect(next.states()).toEqual([]);
  });

  it("refuses what is not its snapshot, and a broken state with its reason, keeping the rest", () => {
    expect(new AlertEvaluator().restore({ version: 2 }, 0).refused[0]).toMatch(/^not a version 1 alert snapshot/);
    const ev = new AlertEvaluator([threshold()]);
    ev.observe(msg(0, 31));
    ev.observe(msg(0, 31, dev(2)));
    const json = JSON.parse(JSON.stringify(ev.snapshot(10))) as { states: { status: string }[] };
    json.states[0]!.status = "exploded";
    const next = new AlertEvaluator([threshold()]);
    const r = next.restore(json, 10);
    expect(r.refused).toEqual([expect.stringMatching(/^status: /)]);
    expect(next.states()).toHaveLength(1);
  });

  it("carries the loss counters across, so a restart's jump in seq is the downtime's, not a device's loss", () => {
    const loss = alertRuleSchema.parse({ id: "loss", name: "Loss", severity: "minor", kind: "loss", value: 5 });
    const ev = new AlertEvaluator([loss]);
    const seqMsg = (t: number, seq: number): Observation => ({ type: "message", device: ARM, t, topic: "fleet/lab/arm-01/telemetry", seq: { value: seq } });
    for (let i = 1; i <= 20; i++) ev.observe(seqMsg(i * 100, i));
    const { next } = restart(ev, [loss], 2000, 2000);
    expect(next.observe(seqMsg(2100, 22))).toEqual([]);
    expect(next.state("loss", ARM.id as DeviceId)!.buckets.reduce((n, b) => n + b[2], 0)).toBe(1);
  });

  it("is plain JSON: the snapshot survives a round trip unchanged", () => {
    const ev = new AlertEvaluator([threshold(), silence]);
    ev.observe(msg(0, 31));
    const snap = ev.snapshot(5);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
