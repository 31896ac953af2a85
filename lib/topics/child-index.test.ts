import { describe, expect, it } from "vitest";
import { ChildIndex } from "./child-index";

describe("ChildIndex", () => {
  it("finds every child through growth and after deletions in the middle of probe runs", () => {
    const index = new ChildIndex();
    const n = 20_000;
    for (let i = 0; i < n; i++) index.insert(i % 97, i, i + 1);
    expect(index.size).toBe(n);
    for (let i = 0; i < n; i += 2) index.delete(i % 97, i);
    expect(index.size).toBe(n / 2);
    for (let i = 0; i < n; i++) expect(index.find(i % 97, i)).toBe(i % 2 === 0 ? -1 : i + 1);
    // A key under another parent is another key.
    expect(index.find(1, 0)).toBe(-1);
    index.delete(5, 123_456); // absent: nothing changes
    expect(index.size).toBe(n / 2);
  });
});
