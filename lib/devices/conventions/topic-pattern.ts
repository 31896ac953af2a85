/**
 * Topic patterns with named wildcards, for user rules (rules.ts): `plant/{site}/line/{line}/{device}/#`.
 * A `{name}` matches exactly one level, as `+` does, and captures it; `+` matches one level
 * without a name; `#` is only the last level. A level is either all text or one wildcard:
 * `a{b}` is refused, since a level's text is the device's to choose and splitting it would
 * guess. Matching itself is lib/mqtt/topic.ts's `topicMatches` on the pattern as a filter, so a
 * rule reads exactly what a subscription to it receives (`$SYS` included: a pattern starting
 * with a wildcard does not match `$` topics).
 *
 * Templates (`{site}-{line}-{device}`) put captured levels back together for ids, names and
 * groups; an id template escapes what it inserts so that different captures never give one id.
 *
 * Pure; browser and Node alike.
 */
import { escapeIdPart } from "../convention";
import { topicMatches, validateTopicFilter } from "../../mqtt/topic";

/** Most levels in a pattern (its `#` included). */
export const MAX_PATTERN_LEVELS = 16;
/** Longest pattern text. */
export const MAX_PATTERN_LENGTH = 512;
/** Most named wildcards in a pattern. */
export const MAX_PATTERN_NAMES = 8;
/** Longest id, name or group template. */
export const MAX_TEMPLATE_LENGTH = 256;

/** A wildcard's name: an identifier, so templates read unambiguously. */
export const WILDCARD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

export type PatternLevel = { kind: "text"; text: string } | { kind: "name"; name: string } | { kind: "any" };

export interface TopicPattern {
  source: string;
  /** The levels before a trailing `#`. */
  levels: readonly PatternLevel[];
  /** The named wildcards, in the order they appear. */
  names: readonly string[];
  /** Whether it ends in `#`, so that messages below the named levels belong to the device too. */
  tail: boolean;
  /** The pattern as an MQTT filter: every `{name}` as `+`. */
  filter: string;
  /** `filter` without the trailing `#`: the device's own level, to which sub-topics are appended. */
  base: string;
}

export type PatternResult = { ok: true; pattern: TopicPattern } | { ok: false; error: string };

const NAMED = /^\{([^{}]*)\}$/;

function compileLevel(level: string, i: number): { ok: true; level: PatternLevel } | { ok: false; error: string } {
  const where = `level ${i + 1} "${level}"`;
  const named = NAMED.exec(level);
  if (named) {
    const name = named[1]!;
    if (!WILDCARD_NAME.test(name)) return { ok: false, error: `${where}: a wildcard's name is a letter or "_" then up to 31 letters, digits or "_"` };
    return { ok: true, level: { kind: "name", name } };
  }
  if (level.includes("{") || level.includes("}")) return { ok: false, error: `${where}: a named wildcard must be the whole level, and text may not hold "{" or "}"` };
  if (level === "+") return { ok: true, level: { kind: "any" } };
  return { ok: true, level: { kind: "text", text: level } };
}

const levelFilter = (l: PatternLevel) => (l.kind === "text" ? l.text : "+");

/** The pattern, or the first reason it is refused. */
export function compilePattern(source: string): PatternResult {
  if (source.length === 0) return { ok: false, error: "must not be empty" };
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, error: `must be at most ${MAX_PATTERN_LENGTH} characters` };
  const raw = source.split("/");
  if (raw.length > MAX_PATTERN_LEVELS) return { ok: false, error: `must have at most ${MAX_PATTERN_LEVELS} levels (has ${raw.length})` };
  const tail = raw[raw.length - 1] === "#";
  const levels: PatternLevel[] = [];
  const names: string[] = [];
  for (let i = 0; i < raw.length - (tail ? 1 : 0); i++) {
    const r = compileLevel(raw[i]!, i);
    if (!r.ok) return r;
    if (r.level.kind === "name") {
      if (names.includes(r.level.name)) return { ok: false, error: `{${r.level.name}} appears twice; each wildcard needs its own name` };
      names.push(r.level.name);
    }
    levels.push(r.level);
  }
  if (names.length === 0) return { ok: false, error: "needs at least one named wildcard, such as {device}, to tell devices apart" };
  if (names.length > MAX_PATTERN_NAMES) return { ok: false, error: `must have at most ${MAX_PATTERN_NAMES} named wildcards` };
  const base = levels.map(levelFilter).join("/");
  const filter = tail ? `${base}/#` : base;
  // The MQTT rules (a `#` elsewhere than last, a `+` inside text, U+0000) are topic.ts's to say.
  const check = validateTopicFilter(filter);
  if (!check.ok) return { ok: false, error: check.reason };
  return { ok: true, pattern: { source, levels, names, tail, filter, base } };
}

export interface PatternMatch {
  /** Each named wildcard's level, by name (a Map: names like `constructor` are the user's to pick). */
  captures: ReadonlyMap<string, string>;
  /** The same values in the pattern's order. */
  values: readonly string[];
  /** The topic's own levels up to the pattern's `#`: the device's base topic. */
  base: string;
  /** The levels `#` matched ([] when the topic is the base itself). */
  rest: readonly string[];
}

/** What `topic` captures, or null when the pattern does not match it. */
export function matchPattern(p: TopicPattern, topic: string): PatternMatch | null {
  if (!topicMatches(p.filter, topic)) return null;
  const levels = topic.split("/");
  const captures = new Map<string, string>();
  const values: string[] = [];
  p.levels.forEach((l, i) => {
    if (l.kind !== "name") return;
    captures.set(l.name, levels[i]!);
    values.push(levels[i]!);
  });
  return { captures, values, base: levels.slice(0, p.levels.length).join("/"), rest: levels.slice(p.levels.length) };
}

/** `base` followed by a sub-topic ("" is the base itself). */
export const joinTopic = (base: string, sub: string) => (sub === "" ? base : `${base}/${sub}`);

/**
 * The pattern's base with the given captures filled in and every other wildcard as `+`: one
 * device's topics as a filter. Values must be single levels without wildcards (the caller
 * checks untrusted ones with `isPlainLevel`), else a device could be granted more than its own.
 */
export function fillBase(p: TopicPattern, captures: ReadonlyMap<string, string>): string {
  return p.levels.map((l) => (l.kind === "name" ? (captures.get(l.name) ?? "+") : levelFilter(l))).join("/");
}

/** A value that stands for exactly one topic level: no `/`, `+`, `#` or U+0000. */
export const isPlainLevel = (v: string) => !/[/+#\u0000]/.test(v);

// ---------------------------------------------------------------------------------------------
// Templates

export type TemplatePart = { kind: "text"; text: string } | { kind: "name"; name: string };

export interface Template {
  source: string;
  parts: readonly TemplatePart[];
  /** The wildcards it uses, each once, in the order they first appear. */
  names: readonly string[];
}

export type TemplateResult = { ok: true; template: Template } | { ok: false; error: string };

/** `text {name} text`; every `{name}` must be one of `names`. Braces cannot be written as text. */
export function compileTemplate(source: string, names: readonly string[]): TemplateResult {
  if (source.length > MAX_TEMPLATE_LENGTH) return { ok: false, error: `must be at most ${MAX_TEMPLATE_LENGTH} characters` };
  const parts: TemplatePart[] = [];
  const used: string[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    if (m.index > last) parts.push({ kind: "text", text: source.slice(last, m.index) });
    const name = m[1]!;
    if (!names.includes(name)) return { ok: false, error: `{${name}} is not a named wildcard of the pattern (${names.map((n) => `{${n}}`).join(", ")})` };
    parts.push({ kind: "name", name });
    if (!used.includes(name)) used.push(name);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  if (parts.some((p) => p.kind === "text" && /[{}]/.test(p.text))) return { ok: false, error: `"{" and "}" may only enclose a wildcard's name` };
  return { ok: true, template: { source, parts, names: used } };
}

/** The template with captured values in; `escape` is applied to each value. */
export function renderTemplate(t: Template, captures: ReadonlyMap<string, string>, escape: (v: string) => string = (v) => v): string {
  let out = "";
  for (const p of t.parts) out += p.kind === "text" ? p.text : escape(captures.get(p.name) ?? "");
  return out;
}

/**
 * An id template: like any template, but its text may hold only letters, digits, `_` and `-`
 * (ids are URL-safe), it uses at least one wildcard, and no two wildcards touch (`{a}{b}` cannot
 * tell `ab`+`c` from `a`+`bc`). Together with `idEscaper` that makes rendering injective.
 */
export function compileIdTemplate(source: string, names: readonly string[]): TemplateResult {
  const r = compileTemplate(source, names);
  if (!r.ok) return r;
  const { parts } = r.template;
  if (r.template.names.length === 0) return { ok: false, error: "must use at least one named wildcard" };
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.kind === "text" && !/^[A-Za-z0-9_-]+$/.test(p.text)) return { ok: false, error: `"${p.text}": only letters, digits, "_" and "-" may stand between wildcards` };
    if (p.kind === "name" && parts[i + 1]?.kind === "name") return { ok: false, error: `{${p.name}} and {${(parts[i + 1] as { name: string }).name}} touch; put a separator such as "_" between them` };
  }
  return r;
}

/**
 * How an id template escapes a value: as `escapeIdPart` does, and also every character the
 * template's own text uses, as `~` and its hex. So with `{a}-{b}`, `a-b`+`c` gives `a~2db-c` and
 * `a`+`b-c` gives `a-b~2dc`. Why that is injective: reading an id left to right, `~` always
 * starts a three-character escape, an escaped value holds none of the template's text
 * characters, and no two wildcards touch, so every value ends exactly where the next text begins.
 */
export function idEscaper(t: Template): (v: string) => string {
  const reserved = new Set<string>();
  for (const p of t.parts) if (p.kind === "text") for (const ch of p.text) reserved.add(ch);
  return (v) => {
    if (reserved.size === 0) return escapeIdPart(v);
    let out = "";
    // Reserved characters are ASCII (the id template's text is), so one byte each.
    for (const ch of v) out += reserved.has(ch) ? `~${ch.charCodeAt(0).toString(16).padStart(2, "0")}` : escapeIdPart(ch);
    return out;
  };
}
