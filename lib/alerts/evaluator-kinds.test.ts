import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { LOSS_MIN_EXPECTED } from "./condition";
import { AlertEvaluator } from "./evaluator";
import type { Observation } from "./observation";
import { alertRuleSchema } from "./rule";
import type { Transition } from "./state";

const rule = (extra: object) => alertRuleSchema.parse({ id: "r", name: "R", severity: "major", ...extra });
const ARM = { id: asDeviceId("arm-01"), group: "lab", convention: "demo" };
const TOPIC = "fleet/lab/arm-01/telemetry";
const msg = (t: number, values: Record<string, unknown> = {}, seq?: number): Observation => ({ type: "message", device: ARM, t, topic: TOPIC, values, ...(seq === undefined ? {} : { seq: { value: seq } }) });
const live = (t: number, status: "online" | "offline" | "unknown", reason = `status ${status}`, since?: number): Observation => ({ type: "liveness", device: ARM, t, status, reason, since });
const flow = (t: number, outcome: "stuck" | "retransmitted"): Observation => ({ type: "flow", device: ARM, t, topic: TOPIC, outcome });
const command = (t: number, outcome: "succeeded" | "failed" | "timed_out", name = "move_joint"): Observation => ({ type: "command", device: ARM, t, name, outcome });
const moves = (ts: Transition[]) => ts.map((t) => `${t.from}→${t.to}`);
const run = (ev: AlertEvaluator, obs: Observation[]) => obs.flatMap((o) => ev.observe(o));

describe("no_data", () => {
  const silent = (extra: object = {}) => new AlertEvaluator([rule({ kind: "no_data", field: "temp", forMs: "5m", ...extra })]);

  it("fires when the field has been silent for N, at the tick it asked for, and resolves when it speaks", () => {
    const ev = silent();
    ev.observe(msg(0, { temp: 20 }));
    expect(ev.nextTickAt()).toBe(300_000);
    expect(ev.tick(299_999)).toEqual([]);
    expect(ev.tick(300_000)).toMatchObject([{ from: "normal", to: "firing", reason: "no temp for 5m", value: null }]);
    expect(ev.observe(msg(400_000, { temp: 21 }))).toMatchObject([{ from: "firing", to: "resolved", reason: "temp received" }]);
  });

  it("is silent for the field even while the device sends other fields", () => {
    const ev = silent();
    ev.observe(msg(0, { temp: 20 }));
    run(ev, [60_000, 120_000, 240_000].map((t) => msg(t, { current: 1.2 })));
    expect(moves(ev.tick(300_000))).toEqual(["normal→firing"]);
  });

  it("without a field, any message from the device is data", () => {
    const ev = new AlertEvaluator([rule({ kind: "no_data", forMs: "5m" })]);
    run(ev, [msg(0, {}), msg(200_000, { current: 1 })]);
    expect(ev.tick(300_000)).toEqual([]);
    expect(moves(ev.tick(500_000))).toEqual(["normal→firing"]);
  });

  it("is kept apart from offline: an offline device starts no silence alert, and its silence counts from its return", () => {
    const ev = silent();
    run(ev, [msg(0, { temp: 20 }), live(1000, "offline")]);
    expect(ev.tick(300_000)).toEqual([]);
    expect(ev.nextTickAt()).toBeNull();
    expect(ev.tick(3_600_000)).toEqual([]);
    ev.observe(live(3_600_000, "online"));
    expect(ev.tick(3_600_000 + 299_999)).toEqual([]);
    expect(moves(ev.tick(3_600_000 + 300_000))).toEqual(["normal→firing"]);
  });

  it("stays firing when a silent device then goes offline: it is still silent", () => {
    const ev = silent();
    ev.observe(msg(0, { temp: 20 }));
    ev.tick(300_000);
    expect(ev.observe(live(400_000, "offline"))).toEqual([]);
    expect(ev.tick(10_000_000)).toEqual([]);
    expect(ev.state("r", ARM.id)!.status).toBe("firing");
  });

  it("watches a device once it has sent the field", () => {
    const ev = silent();
    ev.observe(msg(0, { current: 1 }));
    expect(ev.states()).toEqual([]);
  });
});

describe("offline", () => {
  it("goes pending on the device's offline, fires after N with its reason, and resolves when it is back", () => {
    const ev = new AlertEvaluator([rule({ kind: "offline", forMs: "30s" })]);
    expect(ev.observe(live(1000, "offline", "LWT offline"))).toMatchObject([{ to: "pending", reason: "device offline: LWT offline", value: "LWT offline" }]);
    expect(ev.tick(31_000)).toMatchObject([{ to: "firing", reason: "device offline: LWT offline for 30s" }]);
    expect(ev.observe(live(40_000, "online", "status online"))).toMatchObject([{ to: "resolved", reason: "device online: status online" }]);
  });

  it("counts N from when the device went offline, not from when it was heard of", () => {
    const ev = new AlertEvaluator([rule({ kind: "offline", forMs: "30s" })]);
    expect(moves(ev.observe(live(60_000, "offline", "NDEATH bdSeq 3", 10_000)))).toEqual(["normal→firing"]);
  });

  it("comes back online before N: back to normal", () => {
    const ev = new AlertEvaluator([rule({ kind: "offline", forMs: "30s" })]);
    run(ev, [live(0, "offline"), live(10_000, "online")]);
    expect(ev.state("r", ARM.id)!.status).toBe("normal");
  });

  it("does not take an unknown status for offline", () => {
    const ev = new AlertEvaluator([rule({ kind: "offline" })]);
    expect(ev.observe(live(0, "unknown"))).toEqual([]);
  });
});

describe("rate of change", () => {
  it("fires on a fast rise over the window and resolves when the rise stops", () => {
    const ev = new AlertEvaluator([rule({ kind: "rate", field: "temp", op: "above", value: 0.5, windowMs: "1m" })]);
    // 1 degree per second for 10 s.
    const rising = run(ev, Array.from({ length: 11 }, (_, i) => msg(i * 1000, { temp: 20 + i })));
    expect(rising).toMatchObject([{ from: "normal", to: "firing", reason: "temp change per second 1 above 0.5" }]);
    // Flat for two minutes: the rise leaves the window.
    const flat = run(ev, Array.from({ length: 120 }, (_, i) => msg(11_000 + i * 1000, { temp: 30 })));
    expect(moves(flat)).toEqual(["firing→resolved"]);
  });

  it("fires on a fall with below", () => {
    const ev = new AlertEvaluator([rule({ kind: "rate", field: "battery", op: "below", value: -0.1, windowMs: "1m" })]);
    expect(moves(run(ev, [msg(0, { battery: 90 }), msg(10_000, { battery: 80 })]))).toEqual(["normal→firing"]);
  });

  it("needs two samples apart in time", () => {
    const ev = new AlertEvaluator([rule({ kind: "rate", field: "temp", op: "above", value: 0.5 })]);
    expect(ev.observe(msg(0, { temp: 1000 }))).toEqual([]);
  });
});

describe("loss from seq", () => {
  const loss = () => new AlertEvaluator([rule({ kind: "loss", value: 5, clear: 1, windowMs: "1m" })]);

  it("fires when the window's loss passes the percentage, once enough messages were expected", () => {
    const ev = loss();
    const seqs = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]; // 4 is lost: at 10, 1 of 10 expected
    const t = run(ev, seqs.map((s, i) => msg(i * 100, {}, s)));
    expect(t).toMatchObject([{ to: "firing", at: 800, value: 10, reason: "loss % 10 above 5 over 1m" }]);
    expect(ev.state("r", ARM.id)!.value).toBeCloseTo((1 / 12) * 100);
  });

  it("does not judge on too few messages: 1 lost of 2 is no 50 % loss", () => {
    const ev = loss();
    expect(run(ev, [msg(0, {}, 1), msg(100, {}, 3)])).toEqual([]);
    expect(LOSS_MIN_EXPECTED).toBeGreaterThan(3);
  });

  it("counts neither duplicates nor a counter restart as loss", () => {
    const ev = loss();
    const seqs = [100, 101, 102, 102, 103, 101, 104, 1, 2, 3, 4, 5, 6];
    expect(run(ev, seqs.map((s, i) => msg(i * 100, {}, s)))).toEqual([]);
  });

  it("resolves once the lossy stretch leaves the window and the loss is under clear", () => {
    const ev = loss();
    run(ev, [1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((s, i) => msg(i * 100, {}, s)));
    expect(ev.state("r", ARM.id)!.status).toBe("firing");
    const clean = run(ev, Array.from({ length: 200 }, (_, i) => msg(1000 + i * 500, {}, 12 + i)));
    expect(moves(clean)).toEqual(["firing→resolved"]);
  });
});

describe("QoS flows and commands", () => {
  it("fires on enough stuck flows in the window and resolves when they leave it, at the tick it asked for", () => {
    const ev = new AlertEvaluator([rule({ kind: "qos_stuck", value: 2, windowMs: "1m" })]);
    expect(ev.observe(flow(0, "stuck"))).toEqual([]);
    expect(ev.observe(flow(0, "retransmitted"))).toEqual([]); // not asked for
    expect(ev.observe(flow(10_000, "stuck"))).toMatchObject([{ to: "firing", value: 2, reason: "2 QoS flows stuck in 1m" }]);
    expect(ev.nextTickAt()).toBe(60_000);
    expect(ev.tick(60_000)).toMatchObject([{ to: "resolved", value: 1, reason: "1 QoS flows stuck in 1m, fewer than 2" }]);
  });

  it("counts retransmissions when the rule asks for them", () => {
    const ev = new AlertEvaluator([rule({ kind: "qos_stuck", outcomes: ["retransmitted"] })]);
    expect(moves(ev.observe(flow(0, "retransmitted")))).toEqual(["normal→firing"]);
  });

  it("fires on failed or timed-out commands, not on successes, and only for the command named", () => {
    const ev = new AlertEvaluator([rule({ kind: "command_failed", command: "move_joint", value: 2 })]);
    run(ev, [command(0, "succeeded"), command(1, "failed", "stop"), command(2, "failed")]);
    expect(ev.state("r", ARM.id)!.status).toBe("normal");
    expect(ev.observe(command(3, "timed_out"))).toMatchObject([{ to: "firing", reason: "2 commands move_joint failed or timed out in 5m" }]);
  });
});
