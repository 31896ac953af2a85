import { describe, expect, it } from "vitest";
import {
  MAX_PATTERN_LEVELS,
  MAX_PATTERN_LENGTH,
  compileIdTemplate,
  compilePattern,
  compileTemplate,
  fillBase,
  idEscaper,
  isPlainLevel,
  matchPattern,
  renderTemplate,
  type Template,
  type TopicPattern,
} from "./topic-pattern";

const pattern = (s: string): TopicPattern => {
  const r = compilePattern(s);
  if (!r.ok) throw new Error(r.error);
  return r.pattern;
};
const refusal = (s: string) => {
  const r = compilePattern(s);
  return r.ok ? null : r.error;
};
const idTemplate = (s: string, names: string[]): Template => {
  const r = compileIdTemplate(s, names);
  if (!r.ok) throw new Error(r.error);
  return r.template;
};

describe("compilePattern", () => {
  it("turns named wildcards into + for the MQTT filter and keeps # last", () => {
    const p = pattern("plant/{site}/line/{line}/{device}/#");
    expect(p.names).toEqual(["site", "line", "device"]);
    expect(p.filter).toBe("plant/+/line/+/+/#");
    expect(p.base).toBe("plant/+/line/+/+");
    expect(p.tail).toBe(true);
    expect(pattern("a/+/{d}").filter).toBe("a/+/+");
  });

  it("refuses wildcards mixed with text, repeated names, misplaced # and patterns with nothing to tell devices apart", () => {
    expect(refusal("a{b}/x")).toMatch(/level 1 "a\{b\}": a named wildcard must be the whole level/);
    expect(refusal("x/{a}b")).toMatch(/level 2/);
    expect(refusal("x/{a}/{a}")).toMatch(/\{a\} appears twice/);
    expect(refusal("x/{9a}")).toMatch(/wildcard's name/);
    expect(refusal("x/{}")).toMatch(/wildcard's name/);
    expect(refusal("x/#/{d}")).toMatch(/# must be a whole level and the last one/);
    expect(refusal("x/a+/{d}")).toMatch(/\+ must occupy a whole level/);
    expect(refusal("x/+/#")).toMatch(/at least one named wildcard/);
    expect(refusal("")).toMatch(/empty/);
  });

  it("refuses patterns past the level and length limits", () => {
    const levels = (n: number) => ["{d}", ...Array.from({ length: n - 1 }, () => "x")].join("/");
    expect(refusal(levels(MAX_PATTERN_LEVELS))).toBeNull();
    expect(refusal(levels(MAX_PATTERN_LEVELS + 1))).toMatch(`at most ${MAX_PATTERN_LEVELS} levels`);
    expect(refusal(`{d}/${"x".repeat(MAX_PATTERN_LENGTH)}`)).toMatch(`at most ${MAX_PATTERN_LENGTH} characters`);
  });
});

describe("matchPattern", () => {
  const p = pattern("plant/{site}/line/{line}/{device}/#");

  it("captures each named level, and says what # matched", () => {
    const m = matchPattern(p, "plant/berlin/line/3/press-7/telemetry/raw")!;
    expect([...m.captures]).toEqual([
      ["site", "berlin"],
      ["line", "3"],
      ["device", "press-7"],
    ]);
    expect(m.values).toEqual(["berlin", "3", "press-7"]);
    expect(m.base).toBe("plant/berlin/line/3/press-7");
    expect(m.rest).toEqual(["telemetry", "raw"]);
  });

  it("lets # match the parent level, as MQTT does", () => {
    expect(matchPattern(p, "plant/berlin/line/3/press-7")?.rest).toEqual([]);
    expect(matchPattern(p, "plant/berlin/line/3/press-7/")?.rest).toEqual([""]);
  });

  it("matches exactly one level per wildcard, like +", () => {
    expect(matchPattern(p, "plant/berlin/line/3")).toBeNull();
    expect(matchPattern(p, "plant/berlin/x/line/3/press-7/t")).toBeNull();
    expect(matchPattern(p, "factory/berlin/line/3/press-7/t")).toBeNull();
    const exact = pattern("s/{device}/+");
    expect(matchPattern(exact, "s/d1/x")?.values).toEqual(["d1"]);
    expect(matchPattern(exact, "s/d1/x/y")).toBeNull();
    expect(matchPattern(exact, "s/d1")).toBeNull();
    expect(matchPattern(exact, "s//x")?.values).toEqual([""]);
  });

  it("keeps names like constructor in a Map, away from any prototype", () => {
    const m = matchPattern(pattern("{constructor}/{__proto__}"), "a/b")!;
    expect(m.captures.get("constructor")).toBe("a");
    expect(m.captures.get("__proto__")).toBe("b");
  });

  it("does not match $ topics with a leading wildcard [MQTT-4.7.2-1]", () => {
    expect(matchPattern(pattern("{device}/#"), "$SYS/broker/uptime")).toBeNull();
    expect(matchPattern(pattern("$SYS/{what}/#"), "$SYS/broker/uptime")?.values).toEqual(["broker"]);
  });
});

describe("fillBase", () => {
  it("fills the given captures and leaves the others as +", () => {
    const p = pattern("plant/{site}/line/{line}/{device}/#");
    expect(fillBase(p, new Map([["device", "press-7"]]))).toBe("plant/+/line/+/press-7");
    expect(isPlainLevel("press-7")).toBe(true);
    for (const bad of ["#", "+", "a/b", "a\u0000"]) expect(isPlainLevel(bad)).toBe(false);
  });
});

describe("templates", () => {
  it("renders captured values and refuses names the pattern lacks or stray braces", () => {
    const r = compileTemplate("{device} at {site}", ["site", "device"]);
    expect(r.ok && renderTemplate(r.template, new Map([["site", "berlin"], ["device", "p7"]]))).toBe("p7 at berlin");
    expect(compileTemplate("{nope}", ["site"])).toEqual({ ok: false, error: expect.stringMatching(/\{nope\} is not a named wildcard of the pattern \(\{site\}\)/) });
    expect(compileTemplate("a}b", ["site"]).ok).toBe(false);
  });

  it("keeps id templates URL-safe and refuses wildcards that touch", () => {
    expect(compileIdTemplate("{a}{b}", ["a", "b"])).toEqual({ ok: false, error: expect.stringMatching(/touch/) });
    expect(compileIdTemplate("{a}.{b}", ["a", "b"])).toEqual({ ok: false, error: expect.stringMatching(/only letters, digits/) });
    expect(compileIdTemplate("fixed", ["a"])).toEqual({ ok: false, error: expect.stringMatching(/at least one/) });
    expect(compileIdTemplate("x-{a}_{b}", ["a", "b"]).ok).toBe(true);
  });

  it("gives different ids to captures that a naive join would confuse", () => {
    const t = idTemplate("{a}-{b}", ["a", "b"]);
    const render = (a: string, b: string) => renderTemplate(t, new Map([["a", a], ["b", b]]), idEscaper(t));
    expect(render("a-b", "c")).toBe("a~2db-c");
    expect(render("a", "b-c")).toBe("a-b~2dc");
    expect(render("a-b", "c")).not.toBe(render("a", "b-c"));
    // Values with the escape character itself and non-ASCII stay apart and URL-safe.
    expect(render("~2d", "x")).not.toBe(render("-", "x"));
    expect(render("ü/x", "y")).toMatch(/^[A-Za-z0-9_~-]+$/);
  });

  it("stays injective when the template's text uses hex digits", () => {
    const t = idTemplate("{a}7{b}", ["a", "b"]);
    const esc = idEscaper(t);
    const render = (a: string, b: string) => renderTemplate(t, new Map([["a", a], ["b", b]]), esc);
    const pairs: [string, string][] = [["7", ""], ["", "7"], ["a7", "b"], ["a", "7b"], ["-", "7"], ["~37", ""], ["", "~37"]];
    const ids = pairs.map(([a, b]) => render(a, b));
    expect(new Set(ids).size).toBe(pairs.length);
  });
});
