import { expect, it } from "vitest";
import { keepAt, parseAt, takesAt, withAt } from "./at-param";

const NOW = Date.UTC(2026, 11, 4, 4, 0, 0);

it("reads epoch milliseconds and ISO times, and nothing for an absent or empty at", () => {
  expect(parseAt(null, NOW)).toEqual({ at: null, problem: null });
  expect(parseAt("  ", NOW)).toEqual({ at: null, problem: null });
  expect(parseAt("1764820320000", NOW)).toEqual({ at: 1764820320000, problem: null });
  expect(parseAt("2026-12-04T03:12:00Z", NOW)).toEqual({ at: Date.UTC(2026, 11, 4, 3, 12), problem: null });
  expect(parseAt("2026-12-04T03:12:00.250+01:00", NOW).at).toBe(Date.UTC(2026, 11, 4, 2, 12, 0, 250));
});

it("says what is wrong with a value that is no time, or a time to come, and stays live", () => {
  expect(parseAt("yesterday", NOW)).toEqual({ at: null, problem: 'at "yesterday" is not a time (epoch ms or ISO 8601)' });
  expect(parseAt("2026-13-45T99:00", NOW).problem).toMatch(/is not a time/);
  expect(parseAt(String(NOW + 60_000), NOW)).toEqual({ at: null, problem: "at is in the future: showing live" });
});

it("sets and clears at, keeping the page's other parameters", () => {
  expect(withAt("?range=1h&fields=temp,current", 1000)).toBe("?range=1h&fields=temp,current&at=1000");
  expect(withAt("range=1h&at=5", 1000.4)).toBe("?range=1h&at=1000");
  expect(withAt("?at=5&range=1h", null)).toBe("?range=1h");
  expect(withAt("?at=5", null)).toBe("");
  expect(withAt("", 42)).toBe("?at=42");
});

it("knows which pages show the past", () => {
  expect(["/", "/topics", "/wire", "/devices/arm-01"].every(takesAt)).toBe(true);
  expect(["/commands", "/settings", "/alerts", "/login"].some(takesAt)).toBe(false);
});

it("carries the cursor over when a view rewrites its own query", () => {
  expect(keepAt("?range=1h&fields=temp", "?range=5m&at=1764820320000")).toBe("?range=1h&fields=temp&at=1764820320000");
  expect(keepAt("", "?at=5")).toBe("?at=5");
  expect(keepAt("?q=arm", "?q=ar")).toBe("?q=arm");
  expect(keepAt("", "")).toBe("");
});
