import { describe, expect, it } from "vitest";
import { clockTime, formatMs } from "./milliseconds";

describe("times as people read them", () => {
  it("shows a capture's fractions of a millisecond to three significant digits, whole from 100 ms", () => {
    expect(formatMs(0.35498046875)).toBe("0.355");
    expect(formatMs(7.89501953125)).toBe("7.9");
    expect(formatMs(0.0830078125)).toBe("0.083");
    expect(formatMs(12)).toBe("12");
    expect(formatMs(123.6)).toBe("124");
    expect(formatMs(Number.NaN)).toBe("—");
  });

  it("gives a fractional moment's milliseconds whole", () => {
    expect(clockTime(1796347284912.791)).toMatch(/:\d\d\.912$/);
    expect(clockTime(1796347284005)).toMatch(/\.005$/);
  });
});
