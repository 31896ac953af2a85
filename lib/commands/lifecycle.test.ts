import { describe, expect, it } from "vitest";
import { sampleCommand } from "../../test/helpers/commands";
import { applyInput, isFinal, reachedAt, sameRequest, telemetryConfirms, type Command, type CommandInput } from "./lifecycle";
import { commandsFor, type ConfirmRule } from "./definitions";
import { decide } from "./submit";

const base = (confirm: ConfirmRule = { kind: "reply" }): Command => sampleCommand({ id: "c1", confirm });

const run = (c: Command, inputs: CommandInput[]) => inputs.reduce(applyInput, c);
const states = (c: Command) => c.transitions.map((t) => t.state);

describe("command lifecycle", () => {
  it("goes queued → sent → delivered → succeeded on a QoS 2 handshake and an ok reply, each step timestamped", () => {
    const c = run(base(), [
      { type: "published", at: 1010 },
      { type: "pubrec", at: 1015 },
      { type: "pubcomp", at: 1020 },
      { type: "reply", at: 1100, ok: true, result: { target: 30 } },
    ]);
    expect(states(c)).toEqual(["queued", "sent", "delivered", "succeeded"]);
    expect(c.transitions.map((t) => t.at)).toEqual([1000, 1010, 1020, 1100]);
    expect(c.result).toEqual({ target: 30 });
    expect(c.deadline).toBe(6000);
  });

  it("fails on a reply with ok: false, keeping the device's words", () => {
    const c = run(base(), [{ type: "published", at: 1010 }, { type: "pubcomp", at: 1020 }, { type: "reply", at: 1030, ok: false, error: "joint 1 at its limit" }]);
    expect(c.state).toBe("failed");
    expect(c.error).toBe("joint 1 at its limit");
  });

  it("times out when nothing confirms, and a reply after the timeout is recorded as late and changes nothing", () => {
    const c = run(base(), [{ type: "published", at: 1010 }, { type: "pubcomp", at: 1020 }, { type: "timeout", at: 6000 }, { type: "reply", at: 6500, ok: true }]);
    expect(c.state).toBe("timed_out");
    expect(c.error).toBe("no confirmation within 5000 ms: the broker has it (PUBCOMP), the device never replied");
    expect(c.events.at(-1)).toMatchObject({ type: "reply", effect: "late reply, ignored", at: 6500 });
    expect(c.result).toBeUndefined();
  });

  it("records a duplicate reply after success and after failure without changing either", () => {
    for (const first of [true, false]) {
      const c = run(base(), [{ type: "published", at: 1 }, { type: "reply", at: 2, ok: first, error: "no" }, { type: "reply", at: 3, ok: !first, error: "other" }]);
      expect(c.state).toBe(first ? "succeeded" : "failed");
      expect(c.events.at(-1)!.effect).toBe("duplicate reply, ignored");
      expect(c.transitions).toHaveLength(3);
    }
  });

  it("takes a reply that overtakes the PUBCOMP, and the PUBCOMP after it is only recorded", () => {
    const c = run(base(), [{ type: "published", at: 1 }, { type: "reply", at: 2, ok: true }, { type: "pubcomp", at: 3 }]);
    expect(states(c)).toEqual(["queued", "sent", "succeeded"]);
    expect(c.events.at(-1)!.effect).toMatch(/ignored/);
  });

  it("a reply while still queued (the send event was missed) fills in sent", () => {
    const c = applyInput(base(), { type: "reply", at: 5, ok: true });
    expect(states(c)).toEqual(["queued", "sent", "succeeded"]);
  });

  it("a PUBCOMP without a seen PUBLISH still passes through sent", () => {
    expect(states(applyInput(base(), { type: "pubcomp", at: 5 }))).toEqual(["queued", "sent", "delivered"]);
  });

  it("a resend (DUP after a reconnect) is recorded and is not a transition", () => {
    const c = run(base(), [{ type: "published", at: 1 }, { type: "published", at: 2, dup: true }]);
    expect(states(c)).toEqual(["queued", "sent"]);
    expect(c.events.at(-1)!.effect).toBe("resent with DUP");
  });

  it("a resend after a restart is recorded, says the device may get it twice, and stays queued until it goes out", () => {
    const c = run(base(), [{ type: "resent", at: 1 }]);
    expect(states(c)).toEqual(["queued"]);
    expect(c.events).toEqual([{ at: 1, type: "resent", effect: expect.stringContaining("may get it twice, with the same id") }]);
    expect(states(run(c, [{ type: "published", at: 2 }]))).toEqual(["queued", "sent"]);
  });

  it("is rejected only from queued; a reject later is recorded and ignored", () => {
    expect(applyInput(base(), { type: "reject", at: 2, reason: "arm-01 is offline" })).toMatchObject({ state: "rejected", error: "arm-01 is offline" });
    const sent = run(base(), [{ type: "published", at: 1 }, { type: "reject", at: 2, reason: "x" }]);
    expect(sent.state).toBe("sent");
  });

  it("a publish that the client gave up on fails a queued command", () => {
    expect(applyInput(base(), { type: "publish_failed", at: 2, error: "connection closed" })).toMatchObject({ state: "failed", error: "connection closed" });
  });

  it("a timeout after a final state does nothing at all", () => {
    const done = run(base(), [{ type: "published", at: 1 }, { type: "reply", at: 2, ok: true }]);
    expect(applyInput(done, { type: "timeout", at: 9 })).toBe(done);
  });

  it("an echo-confirmed command waits past an ok reply for its echo", () => {
    const rule: ConfirmRule = { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent" };
    const c = run(base(rule), [{ type: "published", at: 1 }, { type: "pubcomp", at: 2 }, { type: "reply", at: 3, ok: true }]);
    expect(c.state).toBe("delivered");
    const done = applyInput(c, { type: "echo", at: 4, note: "speed = 40" });
    expect(done.state).toBe("succeeded");
    expect(applyInput(done, { type: "echo", at: 5, note: "again" }).state).toBe("succeeded");
  });

  it("a timeout says how far the command got, and what the echo never showed", () => {
    expect(applyInput(base(), { type: "timeout", at: 9 }).error).toMatch(/never sent \(no broker connection\)$/);
    expect(run(base(), [{ type: "published", at: 1 }, { type: "timeout", at: 9, note: "the server was down at the deadline" }]).error).toBe(
      "no confirmation within 5000 ms: the broker never completed the QoS 2 handshake (no PUBCOMP) (the server was down at the deadline)",
    );
    const rule: ConfirmRule = { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent" };
    const echo = sampleCommand({ confirm: rule, args: { percent: 6 } });
    const c = run(echo, [{ type: "published", at: 1 }, { type: "pubcomp", at: 2 }, { type: "reply", at: 3, ok: true }, { type: "timeout", at: 9 }]);
    expect(c.error).toBe("no confirmation within 5000 ms: the device accepted it, but its telemetry never showed speed = 6");
  });

  it("an echo before the command was sent cannot confirm it", () => {
    const rule: ConfirmRule = { kind: "echo", stream: "status", equals: "online" };
    expect(applyInput(base(rule), { type: "echo", at: 1, note: "online" }).state).toBe("queued");
  });

  it("never leaves a final state, whatever comes after (every input after every final state)", () => {
    const inputs: CommandInput[] = [
      { type: "published", at: 50 },
      { type: "pubrec", at: 50 },
      { type: "pubcomp", at: 50 },
      { type: "reply", at: 50, ok: true },
      { type: "reply", at: 50, ok: false, error: "x" },
      { type: "echo", at: 50, note: "e" },
      { type: "timeout", at: 50 },
      { type: "reject", at: 50, reason: "r" },
      { type: "publish_failed", at: 50, error: "p" },
      { type: "resent", at: 50 },
    ];
    const finals: Command[] = [
      run(base(), [{ type: "published", at: 1 }, { type: "reply", at: 2, ok: true }]),
      run(base(), [{ type: "published", at: 1 }, { type: "reply", at: 2, ok: false }]),
      run(base(), [{ type: "timeout", at: 2 }]),
      run(base(), [{ type: "reject", at: 2, reason: "offline" }]),
    ];
    for (const f of finals) {
      for (const i of inputs) {
        const after = applyInput(f, i);
        expect(after.state).toBe(f.state);
        expect(after.transitions).toEqual(f.transitions);
        expect(isFinal(after.state)).toBe(true);
      }
    }
  });

  it("reachedAt gives the time of each step", () => {
    const c = run(base(), [{ type: "published", at: 7 }]);
    expect(reachedAt(c, "sent")).toBe(7);
    expect(reachedAt(c, "delivered")).toBeUndefined();
  });
});

describe("echo rules", () => {
  const rule: ConfirmRule = { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent", tolerance: 0.01 };
  it("holds when the field equals the argument within the tolerance", () => {
    expect(telemetryConfirms(rule, { percent: 40 }, { speed: 40.005 })).toBe(true);
    expect(telemetryConfirms(rule, { percent: 40 }, { speed: 41 })).toBe(false);
    expect(telemetryConfirms(rule, { percent: 40 }, {})).toBe(false);
  });
  it("reads nested fields", () => {
    expect(telemetryConfirms({ ...rule, field: "drive.speed" }, { percent: 5 }, { drive: { speed: 5 } })).toBe(true);
  });
});

describe("idempotency", () => {
  it("a retried request is the same only with the same device, name and arguments", () => {
    const c = base();
    expect(sameRequest(c, { device: "arm-01", name: "move_joint", args: { angle: 30, joint: 1 } })).toBe(true);
    expect(sameRequest(c, { device: "arm-01", name: "move_joint", args: { joint: 1, angle: 31 } })).toBe(false);
    expect(sameRequest(c, { device: "arm-02", name: "move_joint", args: { joint: 1, angle: 30 } })).toBe(false);
  });
});

describe("replies to an echo-confirmed command", () => {
  it("an ok reply after the echo confirmed it is a reply after success, not a duplicate", () => {
    const rule: ConfirmRule = { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent" };
    const c = run(base(rule), [{ type: "published", at: 1 }, { type: "echo", at: 2, note: "speed = 4" }, { type: "reply", at: 3, ok: true }]);
    expect(c.events.at(-1)!.effect).toBe("reply after succeeded, ignored");
  });
});

describe("submit decisions", () => {
  it("a request from someone who may not command is recorded as rejected with the reason", () => {
    const d = decide({ device: "arm-01", name: "stop", actor: "vic", forbidden: "vic is a viewer" }, { id: "arm-01", site: "a", status: "online" }, commandsFor(["joints.0"], null), "id-1", 5);
    expect(d).toMatchObject({ kind: "forbidden", command: { state: "rejected", actor: "vic", error: "vic is a viewer" } });
  });

  it("an offline device refuses what its definition says, but stop is sent anyway", () => {
    const defs = commandsFor(["joints.0"], null);
    const off = { id: "arm-01", site: "a", status: "offline" as const };
    expect(decide({ device: "arm-01", name: "move_joint", args: { joint: 1, angle: 2 }, actor: "o" }, off, defs, "x", 1).kind).toBe("offline");
    const stop = decide({ device: "arm-01", name: "stop", actor: "o" }, off, defs, "y", 1);
    expect(stop.kind).toBe("send");
    if (stop.kind === "send") expect(stop.command.transitions[0]!.note).toMatch(/^arm-01 looked offline/);
    expect(decide({ device: "arm-01", name: "move_joint", args: { joint: 1, angle: 2 }, actor: "o", timeoutMs: 1 }, { ...off, status: "online" }, defs, "z", 1)).toMatchObject({ command: { timeoutMs: 100 } });
  });
});
