import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import type { Observation } from "./observation";
import { MAX_PREVIEW_TRANSITIONS, PreviewRun } from "./preview";
import { alertRuleSchema } from "./rule";

const rule = alertRuleSchema.parse({ id: "hot", name: "Hot", kind: "threshold", field: "temp", op: "above", value: 80, clear: 70, forMs: "10s", severity: "major" });
const temp = (device: string, t: number, value: number): Observation => ({ type: "message", device: { id: asDeviceId(device), group: "lab", convention: "demo" }, t, topic: `fleet/lab/${device}/telemetry`, values: { temp: value } });

describe("a rule's preview over past observations", () => {
  it("goes pending at the crossing, fires when `for` has passed (by the timer, between messages), holds by hysteresis and resolves below clear", () => {
    const run = new PreviewRun(rule);
    for (const o of [temp("a", 0, 60), temp("a", 1000, 85), temp("a", 3000, 86), temp("a", 20_000, 75), temp("a", 30_000, 65), temp("b", 30_000, 50)]) run.observe(o);
    const p = run.finish(40_000);
    expect(p.transitions.map((t) => [t.device, `${t.from}>${t.to}`, t.at])).toEqual([
      ["a", "normal>pending", 1000],
      ["a", "pending>firing", 11_000],
      ["a", "firing>resolved", 30_000],
    ]);
    expect(p.transitions[0]!.value).toBe(85);
    expect(p.counts).toEqual({ transitions: 3, fired: 1, devices: 1, open: {} });
    expect(p.truncated).toBe(false);
  });

  it("leaves a crossing shorter than `for` pending-then-normal, and says what is still open at the end", () => {
    const run = new PreviewRun(rule);
    for (const o of [temp("a", 0, 85), temp("a", 5000, 60), temp("b", 0, 90)]) run.observe(o);
    const p = run.finish(60_000);
    expect(p.counts.fired).toBe(1);
    expect(p.counts.open).toEqual({ firing: 1 });
    expect(p.transitions.filter((t) => t.device === "a").map((t) => t.to)).toEqual(["pending", "normal"]);
  });

  it("lists at most MAX_PREVIEW_TRANSITIONS and flags the rest, counting them all", () => {
    const quick = alertRuleSchema.parse({ ...rule, forMs: 0, clear: 80 });
    const run = new PreviewRun(quick);
    for (let i = 0; i < MAX_PREVIEW_TRANSITIONS * 2; i++) run.observe(temp("a", i * 1000, i % 2 === 0 ? 90 : 60));
    const p = run.finish(MAX_PREVIEW_TRANSITIONS * 2000);
    expect(p.transitions).toHaveLength(MAX_PREVIEW_TRANSITIONS);
    expect(p.truncated).toBe(true);
    expect(p.counts.transitions).toBeGreaterThan(MAX_PREVIEW_TRANSITIONS);
  });
});
