import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_DURATION_MS, durationMs, formatDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it("takes milliseconds as a number and Prometheus-style text", () => {
    expect(parseDuration(10_000)).toEqual({ ok: true, ms: 10_000 });
    expect(parseDuration("10s")).toEqual({ ok: true, ms: 10_000 });
    expect(parseDuration("5m")).toEqual({ ok: true, ms: 300_000 });
    expect(parseDuration("1h30m")).toEqual({ ok: true, ms: 5_400_000 });
    expect(parseDuration("250ms")).toEqual({ ok: true, ms: 250 });
    expect(parseDuration("1.5s")).toEqual({ ok: true, ms: 1500 });
    expect(parseDuration("2d")).toEqual({ ok: true, ms: 172_800_000 });
    expect(parseDuration(" 0 ")).toEqual({ ok: true, ms: 0 });
  });

  it("refuses what an operator could mean two ways, or did not mean", () => {
    for (const bad of ["5000", "", "10 s", "-5s", "5x", "30m1h", "1m1m", true, null, -1, Number.NaN, Infinity]) {
      expect(parseDuration(bad), String(bad)).toMatchObject({ ok: false });
    }
    expect(parseDuration("31d")).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 30 days/) });
    expect(parseDuration(MAX_DURATION_MS)).toEqual({ ok: true, ms: MAX_DURATION_MS });
  });

  it("says what to write instead", () => {
    expect(parseDuration("5000")).toMatchObject({ reason: expect.stringContaining('write "10s", "5m", "1h30m" or a number of milliseconds') });
  });
});

describe("durationMs (zod)", () => {
  it("names the field in its error", () => {
    const r = z.object({ forMs: durationMs }).safeParse({ forMs: "soon" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ["forMs"], message: expect.stringContaining('"soon" is not a duration') });
  });
});

describe("formatDuration", () => {
  it("says durations back as they are written", () => {
    expect([0, 250, 1500, 10_000, 300_000, 5_400_000, 90_061_000].map(formatDuration)).toEqual(["0s", "250ms", "1500ms", "10s", "5m", "1h30m", "1d1h1m1s"]);
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [0, 1, 999, 1000, 61_000, 3_600_000, 86_400_000 + 1000]) expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
  });
});
