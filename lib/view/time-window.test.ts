import { describe, expect, it } from "vitest";
import { MAX_WINDOW_MS, parseCustomRange, parseWindow, toLocalInput, zoomSelection } from "./time-window";

describe("parseWindow", () => {
  it("reads epoch milliseconds and ISO dates from a pasted link", () => {
    expect(parseWindow("1000", "61000")).toEqual({ from: 1000, to: 61000 });
    expect(parseWindow("2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z")).toEqual({ from: Date.UTC(2026, 10, 25, 14), to: Date.UTC(2026, 10, 25, 15) });
  });

  it("gives null for anything that is not a usable window, so the page keeps its range", () => {
    expect(parseWindow(null, "1000")).toBeNull();
    expect(parseWindow("5000", "1000")).toBeNull();
    expect(parseWindow("1000", "1500")).toBeNull();
    expect(parseWindow("abc", "1000")).toBeNull();
    expect(parseWindow("1e3", "9999")).toBeNull();
    expect(parseWindow("0", String(MAX_WINDOW_MS + 1))).toBeNull();
  });
});

describe("parseCustomRange", () => {
  it("reads the form's local date-times, with or without seconds", () => {
    expect(parseCustomRange("2026-11-25T14:00", "2026-11-25T14:30:15")).toEqual({
      ok: true,
      window: { from: new Date("2026-11-25T14:00").getTime(), to: new Date("2026-11-25T14:30:15").getTime() },
    });
  });

  it("says what to fix", () => {
    expect(parseCustomRange("", "2026-11-25T14:00")).toEqual({ ok: false, error: "Enter both From and To." });
    expect(parseCustomRange("yesterday", "2026-11-25T14:00")).toEqual({ ok: false, error: "From is not a date and time." });
    expect(parseCustomRange("2026-11-25T15:00", "2026-11-25T14:00")).toEqual({ ok: false, error: "From must be before To." });
    expect(parseCustomRange("2024-01-01T00:00", "2026-01-01T00:00")).toMatchObject({ ok: false, error: expect.stringMatching(/at most/) });
  });
});

it("writes an instant back as the form's local value, to the second", () => {
  const t = new Date("2026-03-04T05:06:07").getTime();
  expect(toLocalInput(t)).toBe("2026-03-04T05:06:07");
  expect(parseCustomRange(toLocalInput(t), toLocalInput(t + 60_000))).toEqual({ ok: true, window: { from: t, to: t + 60_000 } });
});

describe("zoomSelection", () => {
  it("orders a drag in either direction", () => {
    expect(zoomSelection(9000, 2000)).toEqual({ from: 2000, to: 9000 });
  });

  it("keeps the window within what the chart shows", () => {
    expect(zoomSelection(-5000, 9000, [0, 8000])).toEqual({ from: 0, to: 8000 });
  });

  it("ignores a click, a too-narrow drag, and a drag that left the plot", () => {
    expect(zoomSelection(5000, 5000)).toBeNull();
    expect(zoomSelection(5000, 5400)).toBeNull();
    expect(zoomSelection(5000, undefined)).toBeNull();
  });
});
