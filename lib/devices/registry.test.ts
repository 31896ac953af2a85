import { describe, expect, it } from "vitest";
import { BUILT_IN_CONVENTIONS, conventionsWith } from "./builtin";
import type { Rule } from "./conventions/rules";
import { asEpochMs } from "./model";
import { Interpreter } from "./registry";

const msg = (topic: string, text: string) => ({ topic, payload: new TextEncoder().encode(text), text, retain: false, qos: 0 as const, ts: asEpochMs(5) });
const rule = (name: string, pattern: string): Rule => ({ name, pattern, fields: [{ topic: "t", path: "$.v", name: "v" }] }) as Rule;

describe("Interpreter", () => {
  it("asks every convention that claims a topic, the first one's device owning the message", () => {
    const i = new Interpreter(conventionsWith([rule("shadow", "fleet/{site}/{device}/#")]));
    const r = i.read(msg("fleet/lab/arm-1/telemetry", '{"seq":3,"temp":40}'));
    // The demo convention comes first, and a rule reads only what no built-in one made a device of.
    expect(r.by).toEqual(["demo"]);
    expect(i.read(msg("fleet/lab/arm-1/x/y", '{"v":1}')).facts[0]).toMatchObject({ convention: "rule:shadow" });
    expect(r.device).toBe("arm-1");
    expect(r.seq).toEqual({ value: 3, stream: "fleet/lab/arm-1/telemetry" });
    expect(i.deviceOfTopic("fleet/lab/arm-1/telemetry")).toBe("arm-1");
  });

  it("reads nothing into a topic no convention claims, and counts what each could not interpret", () => {
    const i = new Interpreter(BUILT_IN_CONVENTIONS);
    expect(i.read(msg("home/kitchen/temp", "21")).facts).toEqual([]);
    i.read(msg("fleet/lab/a1/telemetry", "not json"));
    const demo = i.counts().find((c) => c.id === "demo")!;
    expect(demo).toMatchObject({ messages: 1, notUnderstood: 1, lastProblem: "not_json_object" });
  });

  it("takes a saved rule in without a restart, keeping what the others learned", () => {
    const i = new Interpreter(BUILT_IN_CONVENTIONS);
    i.read(msg("fleet/lab/a1/status", "online"));
    expect(i.read(msg("plant/p1/t", '{"v":1}')).facts).toEqual([]);
    i.setConventions(conventionsWith([rule("plant", "plant/{device}/#")]));
    expect(i.read(msg("plant/p1/t", '{"v":2}')).facts[0]).toMatchObject({ convention: "rule:plant", measurements: { v: { value: 2 } } });
    expect(i.counts().find((c) => c.id === "demo")!.messages).toBe(1);
    i.setConventions(BUILT_IN_CONVENTIONS);
    expect(i.read(msg("plant/p1/t", '{"v":3}')).facts).toEqual([]);
  });
});
