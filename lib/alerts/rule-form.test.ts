import { describe, expect, it } from "vitest";
import { RULE_KINDS, ruleBodySchema } from "./rule";
import { emptyRuleForm, KIND_FIELDS, ruleBodyOf, type RuleFormFields } from "./rule-form";

const form = (over: Partial<RuleFormFields>): RuleFormFields => ({ ...emptyRuleForm(), name: "r", ...over });

describe("the rule form's body", () => {
  it("makes a body the server takes for every kind, with the fields that kind asks for", () => {
    const filled: Record<string, Partial<RuleFormFields>> = {
      threshold: { value: "80", clear: "70", forS: "10", keepFiringForS: "30" },
      rate: { value: "2.5", windowS: "60" },
      no_data: { field: "", forS: "300" },
      offline: { forS: "30" },
      loss: { value: "5", clear: "1", windowS: "300" },
      qos_stuck: { value: "3", outcomes: ["stuck", "retransmitted"] },
      command_failed: { value: "1", command: "move_joint", outcomes: ["timed_out"] },
    };
    for (const kind of RULE_KINDS) {
      const body = ruleBodyOf(form({ kind, ...filled[kind] }));
      const parsed = ruleBodySchema.safeParse(body);
      expect(parsed.success, `${kind}: ${parsed.error?.message}`).toBe(true);
      expect(KIND_FIELDS[kind].length).toBeGreaterThan(0);
    }
    expect(ruleBodySchema.parse(ruleBodyOf(form({ kind: "threshold", value: "80", clear: "70", forS: "10", keepFiringForS: "30" })))).toMatchObject({ value: 80, clear: 70, forMs: 10_000, keepFiringForMs: 30_000, field: "temp", op: "above" });
    expect(ruleBodyOf(form({ kind: "command_failed", value: "2", command: "stop", outcomes: ["failed"] }))).toMatchObject({ value: 2, command: "stop", outcomes: ["failed"] });
  });

  it("sends no key a kind does not take, and the selector only where filled", () => {
    const body = ruleBodyOf(form({ kind: "offline", value: "80", clear: "70", field: "temp", devices: " arm-01, ,arm-02 ", group: "plant-a", topic: "" }));
    expect(body).toEqual({ kind: "offline", name: "r", severity: "major", devices: ["arm-01", "arm-02"], group: "plant-a", forMs: "10s" });
  });

  it("leaves a wrong value for the server to name", () => {
    const parsed = ruleBodySchema.safeParse(ruleBodyOf(form({ kind: "threshold", value: "hot" })));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(["value"]);
  });
});
