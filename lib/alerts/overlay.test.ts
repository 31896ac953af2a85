import { describe, expect, it } from "vitest";
import type { AlertItem } from "./alert-list";
import { cardAlert, firingBands, thresholdLines, type ListedRule } from "./overlay";

const rule = (over: Partial<ListedRule>): ListedRule => ({ id: "r", name: "Hot", kind: "threshold", severity: "major", field: "temp", op: "above", value: 80, clear: 70, ...over });
const alert = (over: Partial<AlertItem>): AlertItem => ({ id: "a", rule: "r", ruleName: "Hot", device: "arm-01", state: "firing", severity: "major", startedAt: 0, endedAt: null, value: 85, ack: null, silenced: false, ...over });
const arm = { id: "arm-01", group: "lab", convention: "demo" };

describe("alert overlays", () => {
  it("draw the threshold rules on the field that select the device, with the clear value when it differs", () => {
    const rules = [
      rule({ id: "all" }),
      rule({ id: "mine", devices: ["arm-01"], clear: 80 }),
      rule({ id: "other", devices: ["arm-02"] }),
      rule({ id: "lab", group: "lab", op: "below", value: 10, clear: 15 }),
      rule({ id: "plant", group: "plant" }),
      rule({ id: "current", field: "current" }),
      { id: "off", name: "Off", kind: "offline", severity: "minor" } as ListedRule,
    ];
    expect(thresholdLines(rules, arm, "temp").map((l) => [l.rule, l.op, l.value, l.clear])).toEqual([
      ["all", "above", 80, 70],
      ["mine", "above", 80, null],
      ["lab", "below", 10, 15],
    ]);
  });

  it("draw a topic-selected rule only once it has alerted on the device", () => {
    const rules = [rule({ id: "t", topic: "fleet/+/+/telemetry" })];
    expect(thresholdLines(rules, arm, "temp")).toEqual([]);
    expect(thresholdLines(rules, arm, "temp", new Set(["t"]))).toHaveLength(1);
  });

  it("band each firing spell (firing, no data included) within the window, clipped to it, open ones up to now", () => {
    const done = alert({ id: "done", state: "resolved", endedAt: 500, transitions: [
      { from: "firing_no_data", to: "resolved", at: 500, reason: "", value: 60 },
      { from: "firing", to: "firing_no_data", at: 300, reason: "", value: 85 },
      { from: "pending", to: "firing", at: 200, reason: "", value: 85 },
      { from: "normal", to: "pending", at: 100, reason: "", value: 85 },
    ] });
    const open = alert({ id: "open", transitions: [{ from: "normal", to: "firing", at: 900, reason: "", value: 90 }] });
    const elsewhere = alert({ id: "x", device: "arm-02", transitions: [{ from: "normal", to: "firing", at: 0, reason: "", value: 90 }] });
    expect(firingBands([done, open, elsewhere], "arm-01", 250, 2000, 1500)).toEqual([
      { alert: "done", from: 250, to: 500, severity: "major" },
      { alert: "open", from: 900, to: 1500, severity: "major" },
    ]);
    expect(firingBands([done], "arm-01", 600, 800, 1500)).toEqual([]);
  });

  it("put the most severe, then the oldest, firing alert of the device on its card", () => {
    const list = [alert({ id: "minor", severity: "minor", startedAt: 1 }), alert({ id: "late", severity: "critical", startedAt: 9 }), alert({ id: "early", severity: "critical", startedAt: 5 }), alert({ id: "pending", state: "pending", severity: "critical" })];
    expect(cardAlert(list, "arm-01")?.id).toBe("early");
    expect(cardAlert(list, "arm-02")).toBeNull();
  });
});
