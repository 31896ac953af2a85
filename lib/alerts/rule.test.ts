import { describe, expect, it } from "vitest";
import { DEFAULT_NO_DATA_MS, alertRuleSchema, bandOf, pendingMsOf, ruleBodySchema, type RuleOf } from "./rule";

/** The errors as the API says them (lib/http/errors.ts describeZodError joins them the same way). */
function errors(input: unknown, schema = ruleBodySchema): string[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
}

const threshold = { name: "Hot motor", kind: "threshold", field: "temp", op: "above", value: 30, severity: "major" };

describe("rule schema: what parses", () => {
  it("takes the documented threshold body, with named defaults", () => {
    const r = ruleBodySchema.parse({ ...threshold, clear: 28, forMs: "10s", group: "lab" });
    expect(r).toEqual({ ...threshold, clear: 28, forMs: 10_000, keepFiringForMs: 0, noDataMs: DEFAULT_NO_DATA_MS, group: "lab", labels: {}, annotations: {} });
  });

  it("takes durations as milliseconds or text", () => {
    expect(ruleBodySchema.parse({ ...threshold, forMs: 10_000, keepFiringForMs: "5m" })).toMatchObject({ forMs: 10_000, keepFiringForMs: 300_000 });
  });

  it("reads the threshold as telemetry is read: \"30\" and 3e1 are 30", () => {
    expect(ruleBodySchema.parse({ ...threshold, value: "30" })).toMatchObject({ value: 30 });
    expect(ruleBodySchema.parse({ ...threshold, value: 3e1, clear: "28.5" })).toMatchObject({ value: 30, clear: 28.5 });
  });

  it("takes every kind with its own keys", () => {
    const bodies = [
      { name: "r", severity: "info", kind: "rate", field: "temp", op: "above", value: 0.5, windowMs: "1m" },
      { name: "n", severity: "warning", kind: "no_data", forMs: "5m" },
      { name: "n", severity: "warning", kind: "no_data", field: "temp", forMs: "5m" },
      { name: "o", severity: "critical", kind: "offline", forMs: "30s", devices: ["arm-01"] },
      { name: "l", severity: "minor", kind: "loss", value: 5, clear: 2, windowMs: "5m" },
      { name: "q", severity: "minor", kind: "qos_stuck", outcomes: ["stuck", "retransmitted"], value: 3 },
      { name: "c", severity: "major", kind: "command_failed", command: "move_joint" },
    ];
    for (const b of bodies) expect(errors(b), b.kind).toEqual([]);
    expect(ruleBodySchema.parse(bodies[6])).toMatchObject({ value: 1, windowMs: 300_000, outcomes: ["failed", "timed_out"] });
    expect(ruleBodySchema.parse(bodies[5]!)).toMatchObject({ value: 3, outcomes: ["stuck", "retransmitted"] });
  });

  it("needs an id for a stored rule, and none in a body", () => {
    expect(errors(threshold, alertRuleSchema)).toEqual([expect.stringMatching(/^id: /)]);
    expect(errors({ ...threshold, id: "hot-1" }, alertRuleSchema)).toEqual([]);
    expect(errors({ ...threshold, id: "hot-1" })).toEqual(['Unrecognized key: "id"']);
  });

  it("selects with any of devices, group, convention and an MQTT topic filter", () => {
    expect(errors({ ...threshold, devices: ["arm-01", "arm-02"], group: "lab", convention: "demo", topic: "fleet/+/+/telemetry" })).toEqual([]);
  });
});

describe("rule schema: errors name the field", () => {
  it("names a missing or mistyped key", () => {
    expect(errors({ ...threshold, field: undefined })).toEqual([expect.stringMatching(/^field: /)]);
    expect(errors({ ...threshold, value: true })).toEqual(["value: must be a number"]);
    expect(errors({ ...threshold, value: "hot" })).toEqual(['value: must be a finite number, not "hot"']);
    expect(errors({ ...threshold, op: "over" })).toEqual(['op: must be "above" or "below"']);
    expect(errors({ ...threshold, severity: "urgent" })).toEqual(["severity: must be one of critical, major, minor, warning, info"]);
    expect(errors({ ...threshold, name: "  " })).toEqual(["name: must not be empty"]);
  });

  it("names an unknown kind with the kinds there are", () => {
    expect(errors({ ...threshold, kind: "anomaly" })).toEqual(["kind: must be one of threshold, rate, no_data, offline, loss, qos_stuck, command_failed"]);
  });

  it("refuses a key the kind does not take, so a typo is not a silent default", () => {
    expect(errors({ ...threshold, treshold: 30 })).toEqual(['Unrecognized key: "treshold"']);
    expect(errors({ name: "o", severity: "info", kind: "offline", field: "temp" })).toEqual(['Unrecognized key: "field"']);
  });

  it("refuses a clear value on the wrong side of the threshold", () => {
    expect(errors({ ...threshold, clear: 31 })).toEqual(['clear: for "above" it must be at or below value (30): it is where the alert ends']);
    expect(errors({ ...threshold, op: "below", value: 10, clear: 9 })).toEqual(['clear: for "below" it must be at or above value (10): it is where the alert ends']);
  });

  it("refuses a duration it cannot read", () => {
    expect(errors({ ...threshold, forMs: "10 seconds" })).toEqual([expect.stringMatching(/^forMs: "10 seconds" is not a duration/)]);
    expect(errors({ ...threshold, keepFiringForMs: -1 })).toEqual(["keepFiringForMs: must be a non-negative number of milliseconds"]);
    expect(errors({ name: "n", severity: "info", kind: "no_data" })).toEqual([expect.stringMatching(/^forMs: /)]);
    expect(errors({ name: "n", severity: "info", kind: "no_data", forMs: 0 })).toEqual(["forMs: must be more than 0: it is how long a silence must last"]);
  });

  it("refuses a topic filter MQTT would refuse, with MQTT's reason", () => {
    expect(errors({ ...threshold, topic: "fleet/#/telemetry" })).toEqual(["topic: # must be a whole level and the last one [MQTT-4.7.1-2]"]);
    expect(errors({ ...threshold, topic: "fleet/arm+/x" })).toEqual(["topic: + must occupy a whole level [MQTT-4.7.1-3]"]);
  });

  it("refuses labels Fleetscope sets itself, and names that are not label names", () => {
    expect(errors({ ...threshold, labels: { device: "x", team: "line-2" } })).toEqual([expect.stringMatching(/^labels\.device: is set by Fleetscope/)]);
    expect(errors({ ...threshold, labels: { "2fast": "x" } })).toEqual([expect.stringMatching(/^labels\.2fast: a name is letters/)]);
    expect(errors({ ...threshold, annotations: { runbook_url: "https://wiki/motor" } })).toEqual([]);
  });

  it("refuses an empty device list and counts out of range", () => {
    expect(errors({ ...threshold, devices: [] })).toEqual(["devices: must list at least one device, or be left out"]);
    expect(errors({ name: "q", severity: "info", kind: "qos_stuck", value: 0.5 })).toEqual(["value: must be a whole number"]);
    expect(errors({ name: "q", severity: "info", kind: "qos_stuck", outcomes: [] })).toEqual(["outcomes: must name at least one outcome"]);
    expect(errors({ name: "l", severity: "info", kind: "loss", value: 100 })).toEqual(["value: must be a percentage from 0 to below 100"]);
  });
});

describe("bandOf and pendingMsOf", () => {
  it("clears at the threshold when no clear value is given", () => {
    const r = alertRuleSchema.parse({ ...threshold, id: "a" }) as RuleOf<"threshold">;
    expect(bandOf(r)).toEqual({ op: "above", value: 30, clear: 30 });
  });

  it("reads a loss percentage as above", () => {
    const r = alertRuleSchema.parse({ id: "l", name: "l", severity: "info", kind: "loss", value: 5, clear: 2 }) as RuleOf<"loss">;
    expect(bandOf(r)).toEqual({ op: "above", value: 5, clear: 2 });
  });

  it("fires a no_data rule as soon as its silence is long enough: forMs is the silence", () => {
    expect(pendingMsOf(alertRuleSchema.parse({ id: "n", name: "n", severity: "info", kind: "no_data", forMs: "5m" }))).toBe(0);
    expect(pendingMsOf(alertRuleSchema.parse({ ...threshold, id: "t", forMs: "10s" }))).toBe(10_000);
  });
});
