import { expect, it } from "vitest";
import { agoText, formatAt } from "./describe";

it("formats a moment in local time to the second, in one shape", () => {
  const at = new Date(2026, 11, 4, 3, 7, 9, 500).getTime();
  expect(formatAt(at)).toBe("2026-12-04 03:07:09");
});

it("says how long ago in the two largest units, skipping empty ones", () => {
  const now = 10_000_000_000;
  expect(agoText(now - 400, now)).toBe("just now");
  expect(agoText(now - 12_000, now)).toBe("12 s ago");
  expect(agoText(now - 252_000, now)).toBe("4 min 12 s ago");
  expect(agoText(now - 3_600_000 - 5_000, now)).toBe("1 h ago");
  expect(agoText(now - 2 * 86_400_000 - 3 * 3_600_000 - 60_000, now)).toBe("2 d 3 h ago");
});
