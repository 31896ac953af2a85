import { describe, expect, it } from "vitest";
import { applyCommand, createArm, JOINTS, step } from "./arm";

describe("simulated arm", () => {
  it("numbers its telemetry with a per-device seq starting at 1", () => {
    const arm = createArm("arm-01", "plant-a", 1);
    expect(step(arm, 0.5).seq).toBe(1);
    expect(step(arm, 0.5).seq).toBe(2);
  });

  it("reports temperature, current and six joint angles", () => {
    const t = step(createArm("arm-01", "plant-a", 1), 0.5) as { temp: number; current: number; joints: number[] };
    expect(t.joints).toHaveLength(JOINTS);
    expect(t.temp).toBeGreaterThan(20);
    expect(t.current).toBeGreaterThan(0);
  });

  it("moves a joint toward the target move_joint sets, and stop holds it", () => {
    const arm = createArm("arm-01", "plant-a", 2);
    arm.angles[0] = 0;
    expect(applyCommand(arm, "move_joint", { id: "c1", args: { joint: 0, angle: 90 } })).toEqual({ id: "c1", ok: true, result: { joint: 0, target: 90 } });
    step(arm, 0.5);
    expect(arm.angles[0]).toBeGreaterThan(0);
    applyCommand(arm, "stop", { id: "c2" });
    const held = arm.angles[0];
    step(arm, 0.5);
    expect(arm.angles[0]).toBe(held);
  });

  it("refuses bad arguments and unknown commands with a reason", () => {
    const arm = createArm("arm-01", "plant-a", 3);
    expect(applyCommand(arm, "move_joint", { id: "c", args: { joint: 9, angle: 0 } })).toMatchObject({ ok: false, error: expect.stringMatching(/joint/) });
    expect(applyCommand(arm, "fly", { id: "c" })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown/) });
  });
});
