import { describe, expect, it } from "vitest";
import { appendWindow } from "./trace-feed";

describe("appendWindow", () => {
  it("keeps the newest items up to the bound, in order", () => {
    expect(appendWindow([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(appendWindow([], [1, 2, 3, 4, 5, 6], 4)).toEqual([3, 4, 5, 6]);
    expect(appendWindow([1], [2], 4)).toEqual([1, 2]);
  });
});
