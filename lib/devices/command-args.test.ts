import { describe, expect, it } from "vitest";
import { describeArgErrors, parseArgInput, validateArgs, type ArgsSchema } from "./command-args";
import { commandsFor, parseAdvertisement } from "../commands/definitions";
import { parseReply } from "../commands/replies";

const moveJoint: ArgsSchema = {
  type: "object",
  properties: {
    joint: { type: "integer", minimum: 0, maximum: 5 },
    angle: { type: "number", minimum: -180, maximum: 180, "x-unit": "°" },
    mode: { type: "string", enum: ["fast", "smooth"], default: "smooth" },
  },
  required: ["joint", "angle"],
  additionalProperties: false,
};

describe("argument validation", () => {
  it("accepts valid arguments and fills defaults", () => {
    expect(validateArgs(moveJoint, { joint: 2, angle: -45.5 })).toEqual({ ok: true, args: { joint: 2, angle: -45.5, mode: "smooth" } });
  });

  it("names every offending argument with its range and unit", () => {
    const r = validateArgs(moveJoint, { joint: 2.5, angle: 200, speed: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.joint).toBe("must be a whole number in 0..5 (got 2.5)");
    expect(r.errors.angle).toBe("must be a number in -180..180 ° (got 200)");
    expect(r.errors.speed).toBe("is not an argument of this command");
    expect(describeArgErrors(r.errors)).toContain("args.angle: must be a number in -180..180 °");
  });

  it("says what a missing required argument should be", () => {
    const r = validateArgs(moveJoint, { joint: 1 });
    expect(r).toEqual({ ok: false, errors: { angle: "is required (a number in -180..180 °)" } });
  });

  it("refuses wrong types, non-finite numbers, unknown enum values and a non-object", () => {
    const r = validateArgs(moveJoint, { joint: "1", angle: Number.NaN, mode: "wild" });
    expect(r.ok ? {} : r.errors).toEqual({ joint: "must be a whole number in 0..5", angle: "must be a number in -180..180 °", mode: 'must be one of "fast", "smooth"' });
    expect(validateArgs(moveJoint, [1, 2])).toEqual({ ok: false, errors: { "": "args must be an object" } });
  });

  it("a command without arguments takes none", () => {
    const none: ArgsSchema = { type: "object", properties: {}, required: [], additionalProperties: false };
    expect(validateArgs(none, undefined)).toEqual({ ok: true, args: {} });
    expect(validateArgs(none, { x: 1 }).ok).toBe(false);
  });

  it("parses form text into the property's type, leaving nonsense for the validator to name", () => {
    expect(parseArgInput({ type: "number" }, " 12.5 ")).toBe(12.5);
    expect(parseArgInput({ type: "integer" }, "")).toBeUndefined();
    expect(parseArgInput({ type: "integer" }, "abc")).toBe("abc");
    expect(parseArgInput({ type: "boolean" }, "true")).toBe(true);
  });
});

describe("definitions", () => {
  it("a robot arm (told by its joint telemetry) has stop and move_joint", () => {
    const names = commandsFor(["current", "joints.0", "temp"], null).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["stop", "move_joint", "set_speed", "reboot"]));
    expect(commandsFor(["temp"], null)).toEqual([]);
  });

  it("advertised commands show up and win over the kind's by name; a broken one is said, not fatal", () => {
    const ad = parseAdvertisement(
      JSON.stringify({
        kind: "robot-arm",
        commands: [{ name: "stop", description: "mine", timeoutMs: 2000 }, { name: "calibrate" }, { name: "bad name!" }],
      }),
    );
    if ("error" in ad) throw new Error(ad.error);
    expect(ad.problems).toHaveLength(1);
    const cmds = commandsFor([], ad);
    expect(cmds.find((c) => c.name === "stop")).toMatchObject({ description: "mine", timeoutMs: 2000, source: "advertised" });
    expect(cmds.find((c) => c.name === "calibrate")).toMatchObject({ confirm: { kind: "reply" }, timeoutMs: 10_000 });
    expect(cmds.some((c) => c.name === "move_joint")).toBe(true);
  });

  it("an advertisement that is not JSON or not an object is an error", () => {
    expect(parseAdvertisement("<img src=x>")).toEqual({ error: "the advertisement is not JSON" });
    expect(parseAdvertisement("[1]")).toHaveProperty("error");
  });
});

describe("replies", () => {
  const topic = "fleet/plant-a/arm-01/cmd/move_joint/reply";
  it("parses an ok and a failed reply", () => {
    expect(parseReply(topic, Buffer.from('{"id":"a","ok":true,"result":{"x":1}}'))).toEqual({ device: "arm-01", name: "move_joint", id: "a", ok: true, result: { x: 1 } });
    expect(parseReply(topic, Buffer.from('{"id":"a","ok":false,"error":"limit"}'))).toMatchObject({ ok: false, error: "limit" });
  });
  it("takes the id from MQTT 5 correlation data over the payload", () => {
    expect(parseReply(topic, Buffer.from('{"ok":true}'), Buffer.from("c-9"))?.id).toBe("c-9");
  });
  it("a garbage reply is a failure without an id; a topic that is not a reply is null", () => {
    expect(parseReply(topic, Buffer.from("\u0000garbage"))).toMatchObject({ id: null, ok: false, error: "the reply is not JSON" });
    expect(parseReply("fleet/plant-a/arm-01/cmd/move_joint", Buffer.from("{}"))).toBeNull();
    expect(parseReply(topic, Buffer.from('{"id":"a"}'))).toMatchObject({ ok: false, error: "the reply has no ok: true|false" });
  });
});

describe("hostile replies", () => {
  const topic = "fleet/plant-a/arm-01/cmd/stop/reply";
  it("NUL characters never reach the store, and a huge result keeps only its head", () => {
    const r = parseReply(topic, Buffer.from(JSON.stringify({ id: "a\u0000b", ok: true, result: { s: "x\u0000y" } })));
    expect(r).toMatchObject({ id: "a\uFFFDb", result: { s: "x\uFFFDy" } });
    const big = parseReply(topic, Buffer.from(JSON.stringify({ id: "a", ok: true, result: "z".repeat(100_000) })));
    expect(big?.result).toMatchObject({ truncated: true });
    expect(JSON.stringify(big?.result).length).toBeLessThan(2000);
  });
});

describe("advertised schemas that cannot be right", () => {
  it("a range upside down, a required argument that does not exist, and a name used twice are said", () => {
    const ad = parseAdvertisement(
      JSON.stringify({
        commands: [
          { name: "a", args: { type: "object", properties: { x: { type: "number", minimum: 10, maximum: 1 } } } },
          { name: "b", args: { type: "object", properties: {}, required: ["ghost"] } },
          { name: "dup", description: "first" },
          { name: "dup", description: "second" },
        ],
      }),
    );
    if ("error" in ad) throw new Error(ad.error);
    expect(ad.problems).toEqual([
      expect.stringMatching(/^command 0: .*minimum is above maximum/),
      expect.stringMatching(/^command 1: .*required names an argument that is not in properties/),
      "command 3: dup is advertised twice; the last one counts",
    ]);
    expect(ad.commands.map((c) => [c.name, c.description])).toEqual([["dup", "second"]]);
  });

  it("number fields take decimal notation only, and a fractional integer says what it got", () => {
    expect(parseArgInput({ type: "number" }, "0x10")).toBe("0x10");
    expect(parseArgInput({ type: "number" }, "-1.5e2")).toBe(-150);
    expect(validateArgs(moveJoint, { joint: 1.5, angle: 0 })).toEqual({ ok: false, errors: { joint: "must be a whole number in 0..5 (got 1.5)" } });
  });
});
