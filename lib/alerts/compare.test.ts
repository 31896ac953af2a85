import { describe, expect, it } from "vitest";
import { compareNumbers, describeBand, numericValue, schmitt, type Band } from "./compare";

describe("numericValue: what counts as a number from a JSON payload", () => {
  it("reads 30, 30.0, \"30\", 3e1 and \"3e1\" as the same 30", () => {
    for (const v of [30, 30.0, "30", 3e1, "3e1", "30.0", " 30 ", JSON.parse("30.000")]) expect(numericValue(v), JSON.stringify(v)).toBe(30);
  });

  it("reads negative and fractional numbers", () => {
    expect(numericValue("-2.5")).toBe(-2.5);
    expect(numericValue(".5")).toBe(0.5);
  });

  it("refuses booleans, null, NaN, infinities, empty text, hex and units: they are no data, never 0 or 1", () => {
    for (const v of [true, false, null, undefined, Number.NaN, Infinity, -Infinity, "", " ", "NaN", "Infinity", "0x1e", "30 °C", "30,5", [30], { value: 30 }]) {
      expect(numericValue(v), JSON.stringify(v) ?? String(v)).toBeNull();
    }
  });
});

describe("compareNumbers", () => {
  it("treats an integer threshold and double telemetry of the same value as equal", () => {
    expect(compareNumbers(30, 30.0)).toBe(0);
    expect(compareNumbers(Number("30"), 3e1)).toBe(0);
  });

  it("treats values a few units in the last place apart as equal (0.1 * 3 is 0.3)", () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(compareNumbers(0.1 * 3, 0.3)).toBe(0);
    expect(compareNumbers(1e6 + 2e-10, 1e6)).toBe(0);
    expect(compareNumbers(1e6 + 1e-8, 1e6)).toBe(1);
  });

  it("still tells apart anything a sensor resolves", () => {
    expect(compareNumbers(30.000001, 30)).toBe(1);
    expect(compareNumbers(29.999999, 30)).toBe(-1);
    expect(compareNumbers(1e-12, 0)).toBe(1);
  });
});

describe("schmitt: hysteresis", () => {
  const above: Band = { op: "above", value: 30, clear: 28 };
  const below: Band = { op: "below", value: 10, clear: 12 };

  it("enters only strictly past the threshold: 30.0 is not above 30", () => {
    expect(schmitt(above, false, 30.0)).toBe(false);
    expect(schmitt(above, false, 0.1 * 300)).toBe(false);
    expect(schmitt(above, false, 30.5)).toBe(true);
    expect(schmitt(below, false, 10)).toBe(false);
    expect(schmitt(below, false, 9.9)).toBe(true);
  });

  it("holds its previous answer between value and clear", () => {
    for (const v of [28.1, 29, 30, 30]) {
      expect(schmitt(above, true, v)).toBe(true);
      expect(schmitt(above, false, v)).toBe(false);
    }
    expect(schmitt(below, true, 11.5)).toBe(true);
    expect(schmitt(below, false, 11.5)).toBe(false);
  });

  it("leaves at the clear value itself", () => {
    expect(schmitt(above, true, 28)).toBe(false);
    expect(schmitt(above, true, 28.0)).toBe(false);
    expect(schmitt(below, true, 12)).toBe(false);
  });

  it("without a separate clear value, leaves at the threshold", () => {
    const plain: Band = { op: "above", value: 30, clear: 30 };
    expect(schmitt(plain, true, 30)).toBe(false);
    expect(schmitt(plain, true, 30.1)).toBe(true);
  });

  it("does not flap on a value wobbling around the threshold", () => {
    let active = false;
    let changes = 0;
    for (let i = 0; i < 1000; i++) {
      const next = schmitt(above, active, 30 + Math.sin(i) * 1.5); // 28.5 .. 31.5
      if (next !== active) changes++;
      active = next;
    }
    expect(changes).toBe(1);
  });
});

describe("describeBand", () => {
  const band: Band = { op: "above", value: 30, clear: 28 };
  it("says which side the value is on, and when hysteresis holds it", () => {
    expect(describeBand(band, true, 31.5, "temp")).toBe("temp 31.5 above 30");
    expect(describeBand(band, true, 29, "temp")).toBe("temp 29 above clear 28 (hysteresis)");
    expect(describeBand(band, false, 29, "temp")).toBe("temp 29 not above 30");
    expect(describeBand(band, false, 27, "temp")).toBe("temp 27 at or below clear 28");
    expect(describeBand({ op: "below", value: 10, clear: 10 }, false, 11, "battery")).toBe("battery 11 at or above 10");
    expect(describeBand(band, true, 31.123456789, "temp")).toBe("temp 31.1235 above 30");
  });
});
