import { describe, expect, it } from "vitest";
import { parseSeriesParams } from "./series-params";

const parse = (q: string) => parseSeriesParams(new URLSearchParams(q), 10_000_000);

describe("parseSeriesParams", () => {
  it("defaults to the last hour at 500 points", () => {
    expect(parse("device=a&field=temp")).toEqual({ ok: true, query: { device: "a", field: "temp", from: 10_000_000 - 3_600_000, to: 10_000_000, points: 500 } });
  });

  it.each([
    ["field=temp", /^device: is required/],
    ["device=a&field=t&from=5&to=5", /^from: must be before to/],
    ["device=a&field=t&points=0", /^points: must be at least 1/],
    ["device=a&field=t&points=5001", /^points: must be at most 5000/],
    ["device=a&field=t&to=soon", /^to: must be epoch milliseconds/],
    ["device=a&field=t&bucket=1", /unrecognized/i],
  ])("refuses %s with a message naming the parameter", (q, message) => {
    const r = parse(q);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });
});
