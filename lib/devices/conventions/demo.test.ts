import { describe, expect, it } from "vitest";
import { MAX_FIELDS, numericFields } from "./demo";

describe("numericFields", () => {
  it("flattens numbers with dots, skipping top-level seq, non-finite values and what nests too deep", () => {
    const obj = JSON.parse('{"seq":5,"temp":41.5,"ok":true,"name":"x","joints":[1,2],"m":{"seq":3,"a":{"b":{"c":1,"d":{"e":2}}}},"n":null}');
    obj.inf = Infinity;
    expect(numericFields(obj)).toEqual({ temp: 41.5, "joints.0": 1, "joints.1": 2, "m.seq": 3, "m.a.b.c": 1 });
    expect(Object.keys(numericFields(obj))).toEqual(["temp", "joints.0", "joints.1", "m.seq", "m.a.b.c"]);
  });

  it("keeps the first MAX_FIELDS numbers in document order", () => {
    const obj: Record<string, unknown> = Object.fromEntries(Array.from({ length: MAX_FIELDS + 10 }, (_, i) => [`f${i}`, i]));
    obj.nested = { x: 1 };
    const fields = numericFields(obj);
    expect(Object.keys(fields)).toHaveLength(MAX_FIELDS);
    expect(fields[`f${MAX_FIELDS - 1}`]).toBe(MAX_FIELDS - 1);
    expect(fields["nested.x"]).toBeUndefined();
  });
});
