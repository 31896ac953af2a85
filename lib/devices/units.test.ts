import { describe, expect, it } from "vitest";
import { axisLabels, axisWidth, formatDecimals, formatMeasure, formatValue, guessUnit, MAX_DECIMALS, parseDecimals } from "./units";

describe("guessUnit", () => {
  it("knows the demo arm's fields", () => {
    expect(guessUnit("temp")?.symbol).toBe("°C");
    expect(guessUnit("current")?.symbol).toBe("A");
    for (let j = 0; j < 6; j++) expect(guessUnit(`joints.${j}`)?.symbol).toBe("°");
  });

  it("reads the last segment of a nested path, in any case", () => {
    expect(guessUnit("motor.Temperature")?.symbol).toBe("°C");
    expect(guessUnit("battery.voltage")?.symbol).toBe("V");
    expect(guessUnit("wrist_angle")?.symbol).toBe("°");
  });

  it("guesses nothing rather than something wrong", () => {
    expect(guessUnit("seq")).toBeNull();
    expect(guessUnit("joints")).toBeNull();
    expect(guessUnit("counts.3")).toBeNull();
    expect(guessUnit("attempt")).toBeNull();
  });
});

describe("formatMeasure", () => {
  it("shows a few significant decimals by default, with the unit", () => {
    expect(formatMeasure(41.2345, guessUnit("temp"), null)).toBe("41.23\u00a0°C");
    expect(formatMeasure(0.000001, null, null)).toBe("0");
    expect(formatValue(123.456)).toBe("123.5");
  });

  it("shows exactly the decimals asked for, padding zeros included", () => {
    expect(formatMeasure(41.2345, guessUnit("temp"), 1)).toBe("41.2\u00a0°C");
    expect(formatMeasure(2, guessUnit("current"), 3)).toBe("2.000\u00a0A");
    expect(formatMeasure(-12.5, guessUnit("joints.2"), 0)).toBe("-13\u00a0°");
  });
});

describe("decimals in the URL", () => {
  it("round-trips, canonical order", () => {
    const d = parseDecimals("temp:1,joints.0:0");
    expect(d).toEqual({ temp: 1, "joints.0": 0 });
    expect(formatDecimals(d)).toBe("joints.0:0,temp:1");
    expect(formatDecimals({})).toBeNull();
  });

  it("ignores what a pasted link gets wrong", () => {
    expect(parseDecimals(null)).toEqual({});
    expect(parseDecimals(`temp:${MAX_DECIMALS + 1},:2,current:x,a:1.5,b:-1,volt`)).toEqual({});
    expect(parseDecimals("odd:name:2")).toEqual({ "odd:name": 2 });
  });
});

describe("y-axis width", () => {
  it("fits the longest label the axis may draw, so 100.8 kPa is not cut to 00.8 kPa", () => {
    const kpa = { symbol: "kPa", name: "kPa" };
    const labels = axisLabels(99.75, 100.8, (v) => formatMeasure(v, kpa, null));
    expect(labels).toContain("100.8\u00a0kPa");
    expect(axisWidth(labels)).toBeGreaterThanOrEqual("100.8\u00a0kPa".length * 7);
    expect(axisWidth(["1"])).toBe(44);
    expect(axisWidth(["x".repeat(100)])).toBe(160);
  });
});
