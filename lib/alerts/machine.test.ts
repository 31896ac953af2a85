import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { advance, close, machineDeadline, type Timing, type Verdict } from "./machine";
import { ALERT_STATUSES, MAX_RECENT_TRANSITIONS, newState, type AlertState, type AlertStatus } from "./state";

const DEV = asDeviceId("arm-01");
const breach: Verdict = { kind: "breach", value: 31, reason: "temp 31 above 30" };
const ok: Verdict = { kind: "ok", value: 29, reason: "temp 29 at or below 30" };
const noData: Verdict = { kind: "no_data", value: 31, reason: "device offline: LWT" };

function at(status: AlertStatus, extra: Partial<AlertState> = {}): AlertState {
  const s = newState("r1", DEV, 0, "lab", "demo");
  s.status = status;
  if (status === "pending" || status === "firing" || status === "firing_no_data") s.activeSince = 0;
  if (status === "firing" || status === "firing_no_data") s.firedAt = 0;
  return Object.assign(s, extra);
}

const T = (pendingMs: number, keepFiringForMs = 0): Timing => ({ pendingMs, keepFiringForMs });

describe("advance: every status against every verdict", () => {
  // [status, verdict, timing, now, expected status after] — `for` is 10 s, checked at 5 s (before) and 10 s (due).
  const table: [AlertStatus, Verdict, Timing, number, AlertStatus][] = [
    ["normal", breach, T(0), 1000, "firing"],
    ["normal", breach, T(10_000), 1000, "pending"],
    ["normal", ok, T(10_000), 1000, "normal"],
    ["normal", noData, T(10_000), 1000, "normal"],
    ["resolved", breach, T(0), 1000, "firing"],
    ["resolved", breach, T(10_000), 1000, "pending"],
    ["resolved", ok, T(0), 1000, "resolved"],
    ["resolved", noData, T(0), 1000, "resolved"],
    ["pending", breach, T(10_000), 5000, "pending"],
    ["pending", breach, T(10_000), 10_000, "firing"],
    ["pending", ok, T(10_000), 5000, "normal"],
    ["pending", noData, T(10_000), 5000, "normal"],
    ["firing", breach, T(0), 5000, "firing"],
    ["firing", ok, T(0), 5000, "resolved"],
    ["firing", ok, T(0, 60_000), 5000, "firing"],
    ["firing", noData, T(0), 5000, "firing_no_data"],
    ["firing_no_data", breach, T(0), 5000, "firing"],
    ["firing_no_data", ok, T(0), 5000, "resolved"],
    ["firing_no_data", ok, T(0, 60_000), 5000, "firing"],
    ["firing_no_data", noData, T(0), 5000, "firing_no_data"],
  ];

  it("covers every status and verdict", () => {
    for (const st of ALERT_STATUSES) for (const v of [breach, ok, noData]) expect(table.some(([a, b]) => a === st && b === v), `${st} × ${v.kind}`).toBe(true);
  });

  for (const [from, v, timing, now, to] of table) {
    it(`${from} + ${v.kind} (for ${timing.pendingMs}, keep ${timing.keepFiringForMs}) at ${now} → ${to}`, () => {
      const s = at(from);
      const t = advance(s, v, timing, now);
      expect(s.status).toBe(to);
      if (to === from) expect(t).toBeNull();
      else {
        expect(t).toMatchObject({ rule: "r1", device: DEV, from, to, at: now });
        expect(t!.reason.length).toBeGreaterThan(0);
        expect(s.since).toBe(now);
        expect(s.recent.at(-1)).toEqual(t);
      }
    });
  }
});

describe("advance: durations", () => {
  it("for 0 fires in one transition from normal, with the value that caused it", () => {
    const s = at("normal");
    const t = advance(s, breach, T(0), 500)!;
    expect(t).toMatchObject({ from: "normal", to: "firing", value: 31, reason: "temp 31 above 30" });
    expect(s).toMatchObject({ firedAt: 500, activeSince: 500 });
  });

  it("fires a pending alert when `for` has passed, and says how long it held", () => {
    const s = at("normal");
    advance(s, breach, T(10_000), 1000);
    expect(advance(s, breach, T(10_000), 10_999)).toBeNull();
    expect(advance(s, breach, T(10_000), 11_000)).toMatchObject({ to: "firing", reason: "temp 31 above 30 for 10s" });
    expect(s.firedAt).toBe(11_000);
  });

  it("counts `for` from when the condition began, when that was before it was seen (offline since 10:02)", () => {
    const s = at("normal");
    expect(advance(s, { ...breach, since: 0 }, T(10_000), 12_000)).toMatchObject({ from: "normal", to: "firing" });
    const later = at("normal");
    advance(later, { ...breach, since: 5000 }, T(10_000), 6000);
    expect(later).toMatchObject({ status: "pending", activeSince: 5000 });
    expect(machineDeadline(later, T(10_000))).toBe(15_000);
  });

  it("keeps firing for keep-firing-for after the condition goes, and resolves only if it stays gone", () => {
    const s = at("firing");
    const timing = T(0, 60_000);
    expect(advance(s, ok, timing, 1000)).toBeNull();
    expect(s.clearSince).toBe(1000);
    expect(machineDeadline(s, timing)).toBe(61_000);
    expect(advance(s, ok, timing, 60_999)).toBeNull();
    expect(advance(s, ok, timing, 61_000)).toMatchObject({ to: "resolved", reason: "temp 29 at or below 30 for 1m (keep-firing-for)" });
  });

  it("restarts keep-firing-for when the condition comes back meanwhile", () => {
    const s = at("firing");
    const timing = T(0, 60_000);
    advance(s, ok, timing, 1000);
    advance(s, breach, timing, 30_000);
    expect(s.clearSince).toBeNull();
    advance(s, ok, timing, 40_000);
    expect(advance(s, ok, timing, 61_000)).toBeNull();
    expect(advance(s, ok, timing, 100_000)).toMatchObject({ to: "resolved" });
  });

  it("does not count keep-firing-for while data is missing: data back and clear starts it afresh", () => {
    const s = at("firing");
    const timing = T(0, 60_000);
    advance(s, ok, timing, 1000);
    advance(s, noData, timing, 2000);
    expect(s).toMatchObject({ status: "firing_no_data", clearSince: null });
    expect(advance(s, ok, timing, 200_000)).toMatchObject({ from: "firing_no_data", to: "firing" });
    expect(s.clearSince).toBe(200_000);
    expect(advance(s, ok, timing, 260_000)).toMatchObject({ to: "resolved" });
  });

  it("completes no duration while a restored state awaits fresh data", () => {
    const pending = at("pending", { awaitingData: true });
    expect(advance(pending, breach, T(10_000), 60_000)).toBeNull();
    expect(machineDeadline(pending, T(10_000))).toBeNull();
    pending.awaitingData = false;
    expect(advance(pending, breach, T(10_000), 60_001)).toMatchObject({ to: "firing" });

    const firing = at("firing", { awaitingData: true, clearSince: 0 });
    expect(advance(firing, ok, T(0, 1000), 60_000)).toBeNull();
    const fresh = at("normal", { awaitingData: true });
    expect(advance(fresh, breach, T(0), 1)).toMatchObject({ to: "pending" });
  });
});

describe("advance: no data", () => {
  it("turns firing into firing_no_data, which no amount of missing data resolves", () => {
    const s = at("firing");
    expect(advance(s, noData, T(0), 1000)).toMatchObject({ from: "firing", to: "firing_no_data", reason: "device offline: LWT" });
    for (let t = 2000; t < 10 * 86_400_000; t += 3_600_000) expect(advance(s, noData, T(0, 60_000), t)).toBeNull();
    expect(s.status).toBe("firing_no_data");
  });

  it("returns firing_no_data to firing when data comes back still breaching", () => {
    const s = at("firing_no_data");
    expect(advance(s, breach, T(0), 1000)).toMatchObject({ to: "firing", reason: "data back: temp 31 above 30" });
    expect(s.firedAt).toBe(0); // the same episode: startsAt does not move
  });

  it("returns pending to normal when its data goes: `for` cannot be confirmed without it", () => {
    const s = at("pending");
    expect(advance(s, noData, T(10_000), 5000)).toMatchObject({ to: "normal", reason: "device offline: LWT: the 10s cannot be confirmed" });
  });

  it("keeps the value that caused firing when the no-data verdict has none", () => {
    const s = at("firing", { value: 31 });
    advance(s, { kind: "no_data", value: null, reason: "no temp for 5m" }, T(0), 1000);
    expect(s.value).toBe(31);
  });
});

describe("acknowledgement and closing", () => {
  const ack = { by: "ops", at: 1, comment: "on it" };

  it("keeps the ack across firing_no_data and back, and clears it on resolve", () => {
    const s = at("firing", { ack });
    advance(s, noData, T(0), 1000);
    advance(s, breach, T(0), 2000);
    expect(s.ack).toEqual(ack);
    advance(s, ok, T(0), 3000);
    expect(s).toMatchObject({ status: "resolved", ack: null, resolvedAt: 3000 });
  });

  it("clears the ack when a pending alert goes back to normal", () => {
    const s = at("pending", { ack });
    advance(s, ok, T(10_000), 1000);
    expect(s.ack).toBeNull();
  });

  it("closes firing and firing_no_data as resolved, pending as normal, and leaves the rest", () => {
    expect(close(at("firing"), 5, "rule deleted")).toMatchObject({ to: "resolved", reason: "rule deleted" });
    expect(close(at("firing_no_data"), 5, "rule deleted")).toMatchObject({ to: "resolved" });
    expect(close(at("pending"), 5, "rule deleted")).toMatchObject({ to: "normal" });
    expect(close(at("normal"), 5, "rule deleted")).toBeNull();
    expect(close(at("resolved"), 5, "rule deleted")).toBeNull();
  });
});

describe("transition history", () => {
  it("keeps the newest transitions and counts those it let go", () => {
    const s = at("normal");
    for (let i = 0; i < MAX_RECENT_TRANSITIONS + 5; i++) advance(s, i % 2 === 0 ? breach : ok, T(0), i);
    expect(s.recent).toHaveLength(MAX_RECENT_TRANSITIONS);
    expect(s.dropped).toBe(5);
    expect(s.recent.at(-1)!.at).toBe(MAX_RECENT_TRANSITIONS + 4);
  });

  it("has no deadline for a status that changes only with data", () => {
    for (const st of ["normal", "resolved", "firing", "firing_no_data"] as const) expect(machineDeadline(at(st), T(10_000, 60_000))).toBeNull();
  });
});
