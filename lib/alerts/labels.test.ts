import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { AlertEvaluator } from "./evaluator";
import { alertLabels, fingerprint, notifyAlert } from "./labels";
import { alertRuleSchema } from "./rule";

const rule = alertRuleSchema.parse({
  id: "hot", name: "Hot motor", severity: "major", kind: "threshold", field: "temp", op: "above", value: 30, forMs: "10s",
  labels: { team: "line-2" }, annotations: { runbook_url: "https://wiki.example/motor" },
});
const ARM = { id: asDeviceId("arm-01"), group: "lab", convention: "demo" };

function firingState() {
  const ev = new AlertEvaluator([rule]);
  ev.observe({ type: "message", device: ARM, t: 1000, topic: "fleet/lab/arm-01/telemetry", values: { temp: 31.5 } });
  ev.tick(11_000);
  return ev;
}

describe("fingerprint", () => {
  it("is Prometheus' label set fingerprint (prometheus/common model's test vectors)", () => {
    expect(fingerprint({})).toBe((14695981039346656037n).toString(16));
    expect(fingerprint({ name: "garland, briggs", fear: "love is not enough" })).toBe((5799056148416392346n).toString(16));
  });

  it("does not depend on the order labels were written in, and tells label sets apart", () => {
    expect(fingerprint({ a: "1", b: "2" })).toBe(fingerprint({ b: "2", a: "1" }));
    expect(fingerprint({ a: "1", b: "2" })).not.toBe(fingerprint({ a: "12" }));
    expect(fingerprint({ a: "é" })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("alertLabels", () => {
  it("has the rule's labels and Fleetscope's own: alertname, rule, device, severity, kind, field, group, convention", () => {
    expect(alertLabels(rule, { device: ARM.id, group: "lab", convention: "demo" })).toEqual({
      team: "line-2", alertname: "Hot motor", rule: "hot", device: "arm-01", severity: "major", kind: "threshold", field: "temp", group: "lab", convention: "demo",
    });
  });

  it("leaves out what is not known", () => {
    const offline = alertRuleSchema.parse({ id: "o", name: "Gone", severity: "critical", kind: "offline" });
    expect(alertLabels(offline, { device: ARM.id, group: null, convention: null })).toEqual({ alertname: "Gone", rule: "o", device: "arm-01", severity: "critical", kind: "offline" });
  });
});

describe("notifyAlert", () => {
  it("is the firing alert as a receiver reads it, starting when it fired, with a link back", () => {
    const ev = firingState();
    const a = notifyAlert(rule, ev.state("hot", ARM.id)!, "http://fleetscope.local:3000/")!;
    expect(a).toMatchObject({ status: "firing", startsAt: 11_000, endsAt: null, generatorURL: "http://fleetscope.local:3000/alerts?rule=hot&device=arm-01" });
    expect(a.fingerprint).toBe(fingerprint(a.labels));
    expect(a.annotations).toEqual({
      runbook_url: "https://wiki.example/motor",
      summary: "Hot motor on arm-01: temp 31.5 above 30 for 10s",
      description: "threshold rule on every device, for 10s",
      reason: "temp 31.5 above 30 for 10s",
      value: "31.5",
      state: "firing",
    });
  });

  it("is firing still when its data stopped, saying so in an annotation", () => {
    const ev = firingState();
    ev.observe({ type: "liveness", device: ARM, t: 12_000, status: "offline", reason: "LWT offline" });
    const a = notifyAlert(rule, ev.state("hot", ARM.id)!, "http://x")!;
    expect(a).toMatchObject({ status: "firing", annotations: { state: "firing_no_data", reason: "device offline: LWT offline" } });
  });

  it("is resolved with its end time, and the same fingerprint", () => {
    const ev = firingState();
    const firing = notifyAlert(rule, ev.state("hot", ARM.id)!, "http://x")!;
    ev.observe({ type: "message", device: ARM, t: 20_000, topic: "fleet/lab/arm-01/telemetry", values: { temp: 20 } });
    const resolved = notifyAlert(rule, ev.state("hot", ARM.id)!, "http://x")!;
    expect(resolved).toMatchObject({ status: "resolved", startsAt: 11_000, endsAt: 20_000, fingerprint: firing.fingerprint });
  });

  it("is nothing for a pending or normal alert", () => {
    const ev = new AlertEvaluator([rule]);
    ev.observe({ type: "message", device: ARM, t: 0, topic: "t", values: { temp: 31 } });
    expect(notifyAlert(rule, ev.state("hot", ARM.id)!, "http://x")).toBeNull();
  });
});
