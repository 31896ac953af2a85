import { describe, expect, it } from "vitest";
import { sparklinePoints } from "./sparkline-path";

describe("sparklinePoints", () => {
  it("spans the width in time and the height (less padding) in value, higher values up", () => {
    expect(sparklinePoints([{ t: 0, v: 0 }, { t: 5, v: 10 }, { t: 10, v: 5 }], 100, 24, 2)).toBe("0.0,22.0 50.0,2.0 100.0,12.0");
  });

  it("draws a flat series across the middle, and nothing for fewer than two points", () => {
    expect(sparklinePoints([{ t: 0, v: 3 }, { t: 1, v: 3 }], 10, 20)).toBe("0.0,10.0 10.0,10.0");
    expect(sparklinePoints([{ t: 0, v: 3 }], 10, 20)).toBe("");
  });
});
