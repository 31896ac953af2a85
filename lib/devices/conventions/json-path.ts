/**
 * A tiny JSON path picker for user rules (rules.ts): `$`, then any of `.key`, `['key']` (or
 * `["key"]`) and `[n]`. Nothing else: no `..`, no `*`, no filters, no scripts. The paths come
 * from a rules file or the browser, and the values they read come from untrusted devices, so the
 * grammar is small enough to check by eye and is walked by hand: never `eval`, never
 * `new Function`, and every key is read with `Object.hasOwn`, so `$.constructor` or
 * `$.__proto__` never reach a prototype.
 *
 * Pure; browser and Node alike.
 */

/** Longest path text a rule may give. */
export const MAX_PATH_LENGTH = 256;
/** Most steps after `$`: device payloads nest a few levels, not dozens. */
export const MAX_PATH_SEGMENTS = 16;
/** Largest `[n]`: keeps indices safe integers and typos like `[99999999999]` visible. */
export const MAX_PATH_INDEX = 100_000;

/** A key (string) or an array index (number). */
export type PathSegment = string | number;

/** Reads the value at the path; `undefined` when any step is missing (JSON has no undefined). */
export type PathAccessor = (value: unknown) => unknown;

export interface JsonPath {
  /** The path as written. */
  source: string;
  segments: readonly PathSegment[];
  get: PathAccessor;
}

export type PathResult = { ok: true; path: JsonPath } | { ok: false; error: string };

/** `.key` takes these characters; any other key needs `['…']`. */
const DOT_KEY = /^[A-Za-z0-9_-]+/;
const INDEX = /^(0|[1-9][0-9]*)\]/;

type Step = { ok: true; segment: PathSegment; rest: string } | { ok: false; error: string };

/** A quoted key after `[`: `'…'` or `"…"` with `\\`, `\'` and `\"` as the only escapes. */
function quotedKey(s: string): Step {
  const quote = s[0]!;
  let key = "";
  for (let i = 1; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "\\") {
      const next = s[i + 1];
      if (next !== "\\" && next !== "'" && next !== '"') return { ok: false, error: `only \\\\, \\' and \\" may be escaped in a quoted key` };
      key += next;
      i++;
    } else if (ch === quote) {
      if (s[i + 1] !== "]") return { ok: false, error: `a quoted key must be followed by "]"` };
      return { ok: true, segment: key, rest: s.slice(i + 2) };
    } else key += ch;
  }
  return { ok: false, error: "a quoted key is not closed" };
}

/** One step at the head of `s` (after `$`), or why it is not one. */
function step(s: string): Step {
  if (s.startsWith("..")) return { ok: false, error: `recursive descent ("..") is not supported` };
  if (s.startsWith(".")) {
    const key = DOT_KEY.exec(s.slice(1));
    if (key) return { ok: true, segment: key[0], rest: s.slice(1 + key[0].length) };
    if (s[1] === "*") return { ok: false, error: `wildcards ("*") are not supported` };
    return { ok: false, error: `".key" takes letters, digits, "_" and "-"; write other keys as ['key']` };
  }
  if (s.startsWith("[")) {
    const inner = s.slice(1);
    if (inner[0] === "'" || inner[0] === '"') return quotedKey(inner);
    const index = INDEX.exec(inner);
    if (index) {
      const n = Number(index[1]);
      if (n > MAX_PATH_INDEX) return { ok: false, error: `index ${n} is above ${MAX_PATH_INDEX}` };
      return { ok: true, segment: n, rest: inner.slice(index[0].length) };
    }
    if (inner[0] === "?" || inner[0] === "(") return { ok: false, error: "filters and script expressions are not supported" };
    if (inner[0] === "*") return { ok: false, error: `wildcards ("*") are not supported` };
    return { ok: false, error: `"[" must hold a quoted key or a non-negative whole number` };
  }
  return { ok: false, error: `expected ".key", "['key']" or "[n]" at "${s.slice(0, 20)}"` };
}

/** The path's steps, or why it is not a path this picker reads. */
export function parsePath(source: string): { ok: true; segments: PathSegment[] } | { ok: false; error: string } {
  if (source.length > MAX_PATH_LENGTH) return { ok: false, error: `must be at most ${MAX_PATH_LENGTH} characters` };
  if (!source.startsWith("$")) return { ok: false, error: `must start with "$"` };
  const segments: PathSegment[] = [];
  let rest = source.slice(1);
  while (rest.length > 0) {
    if (segments.length === MAX_PATH_SEGMENTS) return { ok: false, error: `must have at most ${MAX_PATH_SEGMENTS} steps` };
    const s = step(rest);
    if (!s.ok) return s;
    segments.push(s.segment);
    rest = s.rest;
  }
  return { ok: true, segments };
}

/**
 * One step into a parsed JSON value. An index reads only arrays; a key reads only a plain
 * object's own properties, so an array's `length` or a prototype's `constructor` stay out of
 * reach. A key that spells a whole number also indexes an array: an `echo` Expectation carries
 * its path as strings (lib/devices/convention.ts), and it must walk the same way.
 */
function child(value: unknown, segment: PathSegment): unknown {
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    const index = typeof segment === "number" ? segment : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
    return index >= 0 && index < value.length ? (value[index] as unknown) : undefined;
  }
  if (typeof segment !== "string") return undefined;
  const o = value as Record<string, unknown>;
  return Object.hasOwn(o, segment) ? o[segment] : undefined;
}

/** The value at `segments` inside `value`, or undefined. */
export function pick(value: unknown, segments: readonly PathSegment[]): unknown {
  let at = value;
  for (const s of segments) {
    at = child(at, s);
    if (at === undefined) return undefined;
  }
  return at;
}

/** The accessor for a path, or why the path is refused. */
export function compilePath(source: string): PathResult {
  const parsed = parsePath(source);
  if (!parsed.ok) return parsed;
  const segments = Object.freeze(parsed.segments);
  return { ok: true, path: { source, segments, get: (value) => pick(value, segments) } };
}

/** The path text for `segments` (suggestRule writes paths this way): `.key` where it can, else `['key']`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "$";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(s)) out += `.${s}`;
    else out += `['${s.replace(/[\\']/g, "\\$&")}']`;
  }
  return out;
}
