import { describe, expect, it } from "vitest";
import { createSampler } from "./sampler";

describe("createSampler", () => {
  it("passes everything under the budget", () => {
    const s = createSampler(100);
    for (let i = 0; i < 50; i++) expect(s.take(i * 10)).toEqual({ send: true, every: 1 });
  });

  it("within a burst's first second, keeps 1 in k once k budgets' worth have come", () => {
    const s = createSampler(100);
    const first = Array.from({ length: 1000 }, (_, i) => s.take(i)); // 1,000 events in one second
    expect(first.slice(0, 100).every((r) => r.send && r.every === 1)).toBe(true);
    expect(first[100]!.every).toBe(2);
    expect(first.at(-1)!.every).toBe(10);
    // 100 + 100/2 + 100/3 + … + 100/10: about three budgets' worth, not ten.
    const sent = first.filter((r) => r.send).length;
    expect(sent).toBeGreaterThan(250);
    expect(sent).toBeLessThan(320);
  });

  it("samples 1:N in the second after one over budget, and stops when the rate falls", () => {
    const s = createSampler(100);
    for (let i = 0; i < 1000; i++) s.take(i); // 1,000 events in the first second
    const next = Array.from({ length: 1000 }, (_, i) => s.take(1000 + i));
    expect(next[0]!.every).toBe(10);
    expect(next.filter((r) => r.send)).toHaveLength(100);
    // A quiet second: back to everything.
    for (let i = 0; i < 5; i++) s.take(2000 + i * 100);
    expect(s.take(3000)).toEqual({ send: true, every: 1 });
  });
});
