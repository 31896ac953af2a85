import { describe, expect, it } from "vitest";
import { ChildIndex } from "./child-index";

describe("ChildIndex", () => {
  it("finds every child through growth and after deletions in the middle of probe runs", () => {
    const n = 20_000;
    const keys = { parent: new Int32Array(n + 1), name: new Int32Array(n + 1) };
    const index = new ChildIndex(() => keys);
    for (let i = 1; i <= n; i++) {
      keys.parent[i] = i % 97;
      keys.name[i] = i;
      index.insert(i);
    }
    expect(index.size).toBe(n);
    for (let i = 2; i <= n; i += 2) index.delete(i);
    expect(index.size).toBe(n / 2);
    for (let i = 1; i <= n; i++) expect(index.find(i % 97, i)).toBe(i % 2 === 0 ? -1 : i);
    // A name under another parent is another key.
    expect(index.find(2, 1)).toBe(-1);
    index.delete(2); // not indexed: nothing changes
    expect(index.size).toBe(n / 2);
  });
});
