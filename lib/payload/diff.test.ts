import { describe, expect, it } from "vitest";
import { lineDiff, MAX_DIFF_CELLS } from "./diff";

const render = (d: ReturnType<typeof lineDiff>) => d.map((l) => `${l.op === "same" ? " " : l.op === "add" ? "+" : "-"}${l.text}`);

describe("lineDiff", () => {
  it("shows equal payloads as unchanged", () => {
    expect(render(lineDiff(["a", "b"], ["a", "b"]))).toEqual([" a", " b"]);
  });

  it("marks a changed line as removed then added, keeping the lines around it", () => {
    expect(render(lineDiff(["{", '  "temp": 40', '  "seq": 1', "}"], ["{", '  "temp": 41', '  "seq": 1', "}"]))).toEqual([
      " {",
      '-  "temp": 40',
      '+  "temp": 41',
      '   "seq": 1',
      " }",
    ]);
  });

  it("finds insertions and deletions in the middle", () => {
    expect(render(lineDiff(["a", "b", "c", "d"], ["a", "c", "x", "d"]))).toEqual([" a", "-b", " c", "+x", " d"]);
    expect(render(lineDiff([], ["a"]))).toEqual(["+a"]);
    expect(render(lineDiff(["a"], []))).toEqual(["-a"]);
  });

  it("replaces a huge middle wholesale rather than building a huge table", () => {
    const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 10;
    const before = Array.from({ length: n }, (_, i) => `b${i}`);
    const after = Array.from({ length: n }, (_, i) => `a${i}`);
    const d = lineDiff(before, after);
    expect(d).toHaveLength(2 * n);
    expect(d.slice(0, n).every((l) => l.op === "del")).toBe(true);
  });
});
