import { describe, expect, it } from "vitest";
import { createSampler } from "./sampler";

describe("createSampler", () => {
  it("passes everything under the budget", () => {
    const s = createSampler(100);
    for (let i = 0; i < 50; i++) expect(s.take(i * 10)).toEqual({ send: true, every: 1 });
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
