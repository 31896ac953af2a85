import { describe, expect, it } from "vitest";
import { MAX_RULES, type Rule } from "../devices/conventions/rules";
import { readSavedRule, ruleSet, saveRefusal } from "./rule-set";

const rule = (name: string, pattern = `${name}/{device}`): Rule => ({ name, pattern });
const saved = (doc: unknown, name = (doc as Rule).name) => ({ name, doc: typeof doc === "string" ? doc : JSON.stringify(doc), createdAt: 1, updatedAt: 2, updatedBy: "ada" });

describe("the rules in force", () => {
  it("are the file's, then the saved ones, each with where it comes from", () => {
    const set = ruleSet([rule("plant")], [saved(rule("greenhouse"))]);
    expect(set.rules.map((r) => r.name)).toEqual(["plant", "greenhouse"]);
    expect(set.entries.map((e) => [e.name, e.source, e.updatedBy, e.problem])).toEqual([
      ["plant", "file", null, null],
      ["greenhouse", "saved", "ada", null],
    ]);
  });

  it("leave aside, with the reason, a saved rule the file shadows, one that no longer reads, and one under another name", () => {
    const set = ruleSet([rule("plant")], [saved(rule("plant", "other/{device}")), saved(`{"name":"bad","pattern":"a/{x"}`, "bad"), saved("not json", "x"), saved(rule("inner"), "outer")]);
    expect(set.rules.map((r) => r.name)).toEqual(["plant"]);
    expect(set.rules[0]!.pattern).toBe("plant/{device}");
    const problems = set.entries.filter((e) => e.source === "saved").map((e) => [e.name, e.rule, e.problem]);
    expect(problems[0]).toEqual(["plant", null, expect.stringContaining("FLEETSCOPE_CONVENTIONS has a rule of this name")]);
    expect(problems[1]).toEqual(["bad", null, expect.stringMatching(/pattern/)]);
    expect(problems[2]).toEqual(["x", null, "is not JSON"]);
    expect(problems[3]).toEqual(["outer", null, expect.stringContaining(`names itself "inner"`)]);
  });

  it(`read at most MAX_RULES (${MAX_RULES}) in all`, () => {
    const file = Array.from({ length: MAX_RULES - 1 }, (_, i) => rule(`f${i}`));
    const set = ruleSet(file, [saved(rule("s1")), saved(rule("s2"))]);
    expect(set.rules).toHaveLength(MAX_RULES);
    expect(set.entries.at(-1)).toMatchObject({ name: "s2", rule: null, problem: expect.stringContaining("MAX_RULES") });
    expect(saveRefusal(file, set, "s3")).toMatch(/MAX_RULES/);
    // Replacing one already saved adds none.
    expect(saveRefusal(file, set, "s1")).toBeNull();
    expect(saveRefusal(file, set, "f0")).toMatch(/FLEETSCOPE_CONVENTIONS/);
  });

  it("checks a saved rule's text as a one-rule file, naming the key", () => {
    expect(readSavedRule(JSON.stringify(rule("ok")))).toEqual({ ok: true, rule: rule("ok") });
    const bad = readSavedRule(JSON.stringify({ name: "b", pattern: "b/{device}", fields: [{ path: "$.x", name: "" }] }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join()).toContain(`rule "b": fields[0].name`);
  });
});
