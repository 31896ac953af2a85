import { expect, it } from "vitest";
import { alertSpans, fractionOf, offlineSpells, scrubRange, storedGaps, timeAt } from "./timeline";

it("spans the hour to now when live, and the hour around the cursor in the past, never past now", () => {
  const now = 10_000_000;
  expect(scrubRange(null, now, 3_600_000)).toEqual({ from: now - 3_600_000, to: now });
  expect(scrubRange(now - 3_000_000, now, 3_600_000)).toEqual({ from: now - 4_800_000, to: now - 1_200_000 });
  expect(scrubRange(now - 60_000, now, 3_600_000)).toEqual({ from: now - 3_600_000, to: now });
});

it("maps moments to places and places to whole seconds, inside the range", () => {
  const r = { from: 100_000, to: 200_000 };
  expect(fractionOf(150_000, r)).toBe(0.5);
  expect(fractionOf(0, r)).toBe(0);
  expect(fractionOf(1e9, r)).toBe(1);
  expect(timeAt(0.123456, r)).toBe(112_000);
  expect(timeAt(2, r)).toBe(200_000);
  expect(timeAt(-1, r)).toBe(100_000);
});

it("draws each device's offline spells, cut to the range, open ones to its end", () => {
  const r = { from: 1000, to: 10_000 };
  const spells = offlineSpells(
    [
      { device: "arm-01", t: 3000, status: "online" },
      { device: "arm-01", t: 2000, status: "offline" },
      { device: "arm-02", t: 500, status: "offline" },
      { device: "arm-02", t: 4000, status: "online" },
      { device: "arm-03", t: 8000, status: "offline" },
      { device: "arm-04", t: 5000, status: "online" },
    ],
    r,
  );
  expect(spells).toEqual([
    { kind: "offline", from: 2000, to: 3000, label: "arm-01 offline" },
    { kind: "offline", from: 1000, to: 4000, label: "arm-02 offline" },
    { kind: "offline", from: 8000, to: 10_000, label: "arm-03 offline" },
  ]);
});

it("marks runs of buckets where nothing was stored, merged, and nothing where all were", () => {
  const r = { from: 0, to: 5999 };
  const b = (t: number, count: number) => ({ t, count });
  expect(storedGaps([b(0, 3), b(1000, 0), b(3000, 2), b(4000, 1)], 1000, r)).toEqual([
    { kind: "gap", from: 1000, to: 3000, label: "nothing stored" },
    { kind: "gap", from: 5000, to: 5999, label: "nothing stored" },
  ]);
  expect(storedGaps([0, 1000, 2000, 3000, 4000, 5000].map((t) => b(t, 1)), 1000, r)).toEqual([]);
});

it("spans each alert from its start to its end, or to the range's end while it lasts, outside ones left out", () => {
  const r = { from: 1000, to: 10_000 };
  const a = (startedAt: number, endedAt: number | null) => ({ ruleName: "hot", device: "arm-01", severity: "major", startedAt, endedAt });
  expect(alertSpans([a(500, 2000), a(5000, null), a(20_000, null), a(100, 900)], r)).toEqual([
    { kind: "alert", from: 1000, to: 2000, label: "alert hot on arm-01 (major)" },
    { kind: "alert", from: 5000, to: 10_000, label: "alert hot on arm-01 (major)" },
  ]);
});
