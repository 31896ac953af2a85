import { describe, expect, it } from "vitest";
import { MAX_PATH_LENGTH, MAX_PATH_SEGMENTS, compilePath, formatPath, parsePath, pick } from "./json-path";

const get = (path: string, value: unknown) => {
  const r = compilePath(path);
  if (!r.ok) throw new Error(r.error);
  return r.path.get(value);
};

const refusal = (path: string) => {
  const r = compilePath(path);
  return r.ok ? null : r.error;
};

describe("compilePath", () => {
  const doc = JSON.parse('{"temp":21.5,"motor":{"current":3.2,"phases":[1.1,2.2,{"v":230}]},"odd key":{"it\'s":7},"a-b":1,"0":"zero"}');

  it("reads the whole value, nested keys, indices and quoted keys", () => {
    expect(get("$", doc)).toBe(doc);
    expect(get("$.temp", doc)).toBe(21.5);
    expect(get("$.motor.current", doc)).toBe(3.2);
    expect(get("$.motor.phases[1]", doc)).toBe(2.2);
    expect(get("$.motor.phases[2].v", doc)).toBe(230);
    expect(get("$['odd key']['it\\'s']", doc)).toBe(7);
    expect(get('$["odd key"]["it\'s"]', doc)).toBe(7);
    expect(get("$.a-b", doc)).toBe(1);
    expect(get("$.0", doc)).toBe("zero");
    expect(get("$[0]", [5, 6])).toBe(5);
  });

  it("says undefined for what is not there, and never indexes an object or keys an array", () => {
    expect(get("$.nope", doc)).toBeUndefined();
    expect(get("$.temp.x", doc)).toBeUndefined();
    expect(get("$.motor.phases[9]", doc)).toBeUndefined();
    expect(get("$[0]", doc)).toBeUndefined(); // an object's "0" is a key, not an index
    expect(get("$.motor.phases.length", doc)).toBeUndefined();
    expect(get("$.x", null)).toBeUndefined();
    expect(get("$.x", "text")).toBeUndefined();
  });

  it("never reaches a prototype: only own properties are read", () => {
    expect(get("$.constructor", {})).toBeUndefined();
    expect(get("$.__proto__", {})).toBeUndefined();
    expect(get("$.toString", {})).toBeUndefined();
    expect(get("$['constructor']['prototype']", {})).toBeUndefined();
    expect(get("$.hasOwnProperty", [])).toBeUndefined();
    // JSON.parse makes "__proto__" an own key: that one is the device's, and readable.
    expect(get("$.__proto__.x", JSON.parse('{"__proto__":{"x":1}}'))).toBe(1);
  });

  it("refuses everything beyond $, .key, ['key'] and [n], saying why", () => {
    expect(refusal("temp")).toBe('must start with "$"');
    expect(refusal("$..a")).toMatch(/recursive descent/);
    expect(refusal("$[?(@.a)]")).toMatch(/filters/);
    expect(refusal("$[(@.length-1)]")).toMatch(/filters/);
    expect(refusal("$.*")).toMatch(/wildcards/);
    expect(refusal("$[*]")).toMatch(/wildcards/);
    expect(refusal("$[-1]")).toMatch(/non-negative whole number/);
    expect(refusal("$[01]")).toMatch(/non-negative whole number/);
    expect(refusal("$['a")).toMatch(/not closed/);
    expect(refusal("$['a'")).toMatch(/followed by "]"/);
    expect(refusal("$['a'x]")).toMatch(/followed by "]"/);
    expect(refusal("$['a\\nb']")).toMatch(/escaped/);
    expect(refusal("$.a b")).toMatch(/expected/);
    expect(refusal("$.")).toMatch(/\.key/);
    expect(refusal("$[100001]")).toMatch(/above/);
  });

  it("refuses paths past the length and step limits", () => {
    expect(refusal(`$.${"a".repeat(MAX_PATH_LENGTH)}`)).toMatch(`at most ${MAX_PATH_LENGTH} characters`);
    expect(refusal("$" + ".a".repeat(MAX_PATH_SEGMENTS))).toBeNull();
    expect(refusal("$" + ".a".repeat(MAX_PATH_SEGMENTS + 1))).toMatch(`at most ${MAX_PATH_SEGMENTS} steps`);
  });
});

describe("formatPath and pick", () => {
  it("writes paths that parse back to the same steps", () => {
    const segments = ["motor", "current", 0, "odd key", "it's", "back\\slash"];
    const text = formatPath(segments);
    expect(text).toBe("$.motor.current[0]['odd key']['it\\'s']['back\\\\slash']");
    expect(parsePath(text)).toEqual({ ok: true, segments });
  });

  it("lets a whole-number key index an array (an echo Expectation's path is strings)", () => {
    expect(pick({ a: [10, 20] }, ["a", "1"])).toBe(20);
    expect(pick({ a: [10, 20] }, ["a", "01"])).toBeUndefined();
  });
});
