import { expect, it } from "vitest";
import { clockAt, dueUntil, LEAD_WALL_MS, LOW_WATER, stepTarget, tick } from "./playback-clock";

const msgs = (...ts: number[]) => ts.map((t) => ({ ts: t }));
const open = { exhausted: false, fetching: false, until: 1e15 };

it("runs the stored clock at the speed played from where it started", () => {
  const clock = { fromAt: 1_000_000, fromWall: 50, speed: 10 };
  expect(clockAt(clock, 50)).toBe(1_000_000);
  expect(clockAt(clock, 1050)).toBe(1_010_000);
  // A wall clock that reads earlier (a tick queued before the start) does not run it backwards.
  expect(clockAt(clock, 0)).toBe(1_000_000);
});

it("finds the messages due, receipt times equal to the cursor included", () => {
  const q = msgs(10, 20, 20, 30);
  expect(dueUntil(q, 0, 5)).toBe(0);
  expect(dueUntil(q, 0, 20)).toBe(3);
  expect(dueUntil(q, 3, 29)).toBe(3);
  expect(dueUntil(q, 0, 99)).toBe(4);
});

it("applies at 10× what came in the first ten stored seconds after one wall second", () => {
  const q = msgs(1000, 5000, 10_000, 10_001, 60_000);
  const clock = { fromAt: 0, fromWall: 0, speed: 10 };
  const t = tick(q, 0, clock, 1000, { ...open, exhausted: true });
  expect(t).toMatchObject({ end: 3, at: 10_000, fetch: false, done: false });
  // At 60× the same wall second reaches the last one.
  expect(tick(q, 3, { ...clock, speed: 60 }, 1000, { ...open, exhausted: true }).end).toBe(5);
});

it("fetches ahead only when little is waiting, and never twice at once", () => {
  const clock = { fromAt: 0, fromWall: 0, speed: 1 };
  const plenty = Array.from({ length: LOW_WATER + 10 }, (_, i) => ({ ts: i * 100 }));
  // Enough messages waiting, lasting longer than the lead: no fetch.
  expect(tick(plenty, 0, clock, 0, open).fetch).toBe(false);
  // Few waiting: fetch; but not while one is in flight, nor when the store has no more.
  const few = msgs(10, 20);
  expect(tick(few, 0, clock, 0, open).fetch).toBe(true);
  expect(tick(few, 0, clock, 0, { ...open, fetching: true }).fetch).toBe(false);
  expect(tick(few, 0, clock, 0, { ...open, exhausted: true }).fetch).toBe(false);
  // Many waiting, but at 60× they last under the lead in wall time: fetch.
  const fast = { ...clock, speed: 60 };
  expect((plenty[plenty.length - 1]!.ts / 60) < LEAD_WALL_MS).toBe(true);
  expect(tick(plenty, 0, fast, 0, open).fetch).toBe(true);
});

it("holds the cursor at the last message while the next page is on its way", () => {
  const clock = { fromAt: 0, fromWall: 0, speed: 1 };
  const t = tick(msgs(100, 200), 0, clock, 5000, { ...open, fetching: true });
  expect(t).toMatchObject({ end: 2, at: 200, done: false });
  // With nothing more stored, the clock runs on through the quiet time.
  expect(tick(msgs(100, 200), 2, clock, 5000, { ...open, exhausted: true }).at).toBe(5000);
});

it("stops at the present", () => {
  const clock = { fromAt: 0, fromWall: 0, speed: 60 };
  const t = tick(msgs(100), 0, clock, 10_000, { exhausted: true, fetching: false, until: 30_000 });
  expect(t).toMatchObject({ end: 1, at: 30_000, done: true });
});

it("steps to the next message, or a second when there is none, never past the present", () => {
  expect(stepTarget({ ts: 1234 }, 1000, 1e9)).toBe(1234);
  expect(stepTarget(undefined, 1000, 1e9)).toBe(2000);
  expect(stepTarget(undefined, 1000, 1500)).toBe(1500);
});
