/**
 * A starting rule from one topic and its payload (rules.ts), for "Make these devices" on
 * `/topics` to refine. Pure.
 */
import { formatPath, type PathSegment } from "./json-path";
import { MAX_FIELDS_PER_RULE, MAX_NAME_LENGTH, payloadValue, type Rule } from "./rules";
import { WILDCARD_NAME } from "./topic-pattern";

/** suggestRule looks this deep into a payload for numbers. */
const SUGGEST_DEPTH = 4;

/**
 * Where the device sits in a topic's levels: among `siblings` of the same length, the last level
 * before the topic's own last that differs (that is the level that tells devices apart); without
 * any, the second-to-last (`…/<device>/telemetry`); a one-level topic is the device itself.
 */
function deviceLevel(levels: readonly string[], siblings: readonly string[][]): number {
  if (levels.length === 1) return 0;
  for (let i = levels.length - 2; i >= 0; i--) if (siblings.some((s) => s[i] !== levels[i])) return i;
  return levels.length - 2;
}

/** A level that becomes a wildcard is named after the literal level before it (`line/3` → {line}). */
function wildcardName(levels: readonly string[], i: number, used: Set<string>): string {
  const before = i > 0 ? levels[i - 1]! : "";
  const name = WILDCARD_NAME.test(before) && !used.has(before) ? before : `level${i + 1}`;
  used.add(name);
  return name;
}

function suggestPattern(levels: readonly string[], siblings: readonly string[][]): { pattern: string; sub: string } {
  const at = deviceLevel(levels, siblings);
  const used = new Set(["device"]);
  const head = levels.slice(0, at).map((l, i) => {
    if (/[{}+#\u0000]/.test(l)) return "+"; // not writable as pattern text
    return siblings.some((s) => s[i] !== l) ? `{${wildcardName(levels, i, used)}}` : l;
  });
  const sub = levels.slice(at + 1).join("/");
  const pattern = [...head, "{device}", ...(at < levels.length - 1 ? ["#"] : [])].join("/");
  return { pattern, sub: /[{}+#\u0000]/.test(sub) ? "#" : sub };
}

/** Numeric leaves of a JSON value, in document order, at most MAX_FIELDS_PER_RULE. */
function numericLeaves(value: unknown, path: PathSegment[], out: PathSegment[][], depth: number): void {
  if (out.length >= MAX_FIELDS_PER_RULE) return;
  if (typeof value === "number" && Number.isFinite(value)) out.push(path);
  else if (value !== null && typeof value === "object" && depth < SUGGEST_DEPTH) {
    if (Array.isArray(value)) value.forEach((v, i) => numericLeaves(v, [...path, i], out, depth + 1));
    else for (const k of Object.keys(value)) numericLeaves((value as Record<string, unknown>)[k], [...path, k], out, depth + 1);
  }
}

function fieldName(path: readonly PathSegment[], used: Set<string>): string {
  let base = path.map(String).join(".").replace(/[^A-Za-z0-9_.:-]/g, "_").replace(/^[.:-]+/, "").slice(0, 60) || "value";
  if (base === "__proto__") base = "proto";
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
  used.add(name);
  return name;
}

function ruleNameFrom(level: string): string {
  const s = level.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, MAX_NAME_LENGTH);
  return s || "my-devices";
}

/**
 * A starting rule from one topic and its payload, for the editor to refine. The pattern keeps
 * the topic's levels as text except the device level (see deviceLevel) as `{device}` and, given
 * `siblings` (other topics seen under the same tree), the levels that vary among them; what
 * follows the device level becomes the parts' sub-topic. The payload decides the parts: a JSON
 * object gives a field per number (nested up to 4 deep; a top-level whole `seq` becomes
 * `seq_path`), a plain number one field at `$`, `online`/`offline` a status.
 */
export function suggestRule(topic: string, payloadText: string, siblings: readonly string[] = []): Rule {
  const levels = topic.split("/");
  const same = siblings.map((s) => s.split("/")).filter((s) => s.length === levels.length);
  const { pattern, sub } = suggestPattern(levels, same);
  const rule: Rule = { name: ruleNameFrom(levels[0]!), pattern };
  const topicKey = sub === "" ? {} : { topic: sub };
  const value = payloadValue(payloadText);
  if (typeof value === "string" && /^(online|offline)$/i.test(value)) {
    rule.status = { ...topicKey, online: ["online"], offline: ["offline"] };
    return rule;
  }
  if (typeof value === "number") {
    rule.fields = [{ ...topicKey, path: "$", name: fieldName([levels[levels.length - 1]!], new Set()) }];
    return rule;
  }
  if (value === null || typeof value !== "object") return rule;
  const top = value as Record<string, unknown>;
  const seq = Array.isArray(value) || !Object.hasOwn(top, "seq") ? undefined : top.seq;
  if (typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0) rule.seq_path = "$.seq";
  const leaves: PathSegment[][] = [];
  numericLeaves(value, [], leaves, 0);
  const used = new Set<string>();
  const fields = leaves.filter((p) => !(rule.seq_path && p.length === 1 && p[0] === "seq")).map((p) => ({ ...topicKey, path: formatPath(p), name: fieldName(p, used) }));
  if (fields.length) rule.fields = fields;
  return rule;
}
