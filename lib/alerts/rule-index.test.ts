import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import type { Observation } from "./observation";
import { alertRuleSchema } from "./rule";
import { RuleIndex } from "./rule-index";

const t = (id: string, extra: object = {}) => alertRuleSchema.parse({ id, name: id, severity: "info", kind: "threshold", field: "temp", op: "above", value: 1, ...extra });
const arm = { id: asDeviceId("arm-01"), group: "lab", convention: "demo" };
const msg = (values: Record<string, unknown>, device: Observation["device"] = arm): Observation => ({ type: "message", device, t: 0, topic: "fleet/lab/arm-01/telemetry", values });
const ids = (rules: { id: string }[]) => rules.map((r) => r.id).sort();

describe("RuleIndex", () => {
  const index = new RuleIndex([
    t("mine", { devices: ["arm-01", "arm-01"] }),
    t("theirs", { devices: ["arm-02"] }),
    t("lab", { group: "lab" }),
    t("plant", { group: "plant" }),
    t("homie", { convention: "homie" }),
    t("all"),
    t("current", { field: "current" }),
    alertRuleSchema.parse({ id: "quiet", name: "q", severity: "info", kind: "no_data", forMs: "1m" }),
    alertRuleSchema.parse({ id: "gone", name: "g", severity: "info", kind: "offline", group: "lab" }),
    alertRuleSchema.parse({ id: "stuck", name: "s", severity: "info", kind: "qos_stuck" }),
    alertRuleSchema.parse({ id: "cmd", name: "c", severity: "info", kind: "command_failed" }),
  ]);

  it("offers a message to the rules on its fields that may select its device, each once, and to those that read any message", () => {
    expect(ids(index.candidates(msg({ temp: 1 }), []))).toEqual(["all", "lab", "mine", "quiet"]);
    expect(ids(index.candidates(msg({ current: 1, temp: 2 }), []))).toEqual(["all", "current", "lab", "mine", "quiet"]);
    expect(ids(index.candidates(msg({ humidity: 1 }), []))).toEqual(["quiet"]);
  });

  it("offers every group's rules when the observation does not say the device's group", () => {
    expect(ids(index.candidates(msg({ temp: 1 }, { id: arm.id }), []))).toEqual(["all", "homie", "lab", "mine", "plant", "quiet"]);
  });

  it("offers a liveness change to the rules already watching the device and to those it can start", () => {
    const live: Observation = { type: "liveness", device: arm, t: 0, status: "offline", reason: "LWT" };
    expect(ids(index.candidates(live, ["mine", "lab", "gone"]))).toEqual(["gone", "lab", "mine", "quiet"]);
  });

  it("offers flows and commands to their own rules only", () => {
    expect(ids(index.candidates({ type: "flow", device: arm, t: 0, outcome: "stuck" }, []))).toEqual(["stuck"]);
    expect(ids(index.candidates({ type: "command", device: arm, t: 0, name: "stop", outcome: "failed" }, []))).toEqual(["cmd"]);
  });

  it("keeps seq counters only when a rule reads them", () => {
    expect(index.hasLoss).toBe(false);
    expect(new RuleIndex([alertRuleSchema.parse({ id: "l", name: "l", severity: "info", kind: "loss", value: 1 })]).hasLoss).toBe(true);
  });
});
