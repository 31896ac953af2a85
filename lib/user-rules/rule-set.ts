/**
 * The user rules in force: FLEETSCOPE_CONVENTIONS's file, then the rules saved from `/topics`
 * (lib/store/rules.ts). Pure: the server, the bridge and the browser all read the same list
 * from the same two sources, so they read every topic alike.
 *
 * A file rule is the operator's: a saved rule of the same name is refused on saving, and one
 * found anyway (the file changed since) is left aside and reported, never mixed in. A saved
 * rule this version can no longer read is reported too, not dropped from the store.
 */
import type { SavedRule } from "../store/rules";
import { MAX_RULES, parseRules, type Rule } from "../devices/conventions/rules";

export type RuleSource = "file" | "saved";

export interface RuleEntry {
  name: string;
  source: RuleSource;
  /** Null for a saved rule that does not read (then `problem` says why). */
  rule: Rule | null;
  problem: string | null;
  createdAt: number | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

export interface RuleSet {
  /** The rules in force, file first, each name once. */
  rules: Rule[];
  entries: RuleEntry[];
}

/** A saved rule's text, checked as a one-rule file would be. */
export function readSavedRule(doc: string): { ok: true; rule: Rule } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(doc);
  } catch {
    return { ok: false, errors: ["is not JSON"] };
  }
  const parsed = parseRules({ rules: [json] });
  return parsed.ok ? { ok: true, rule: parsed.rules[0]! } : parsed;
}

const fileEntry = (rule: Rule): RuleEntry => ({ name: rule.name, source: "file", rule, problem: null, createdAt: null, updatedAt: null, updatedBy: null });

export function ruleSet(fileRules: readonly Rule[], saved: readonly SavedRule[]): RuleSet {
  const rules = [...fileRules];
  const entries = fileRules.map(fileEntry);
  const names = new Set(fileRules.map((r) => r.name));
  for (const s of saved) {
    const meta = { name: s.name, source: "saved" as const, createdAt: s.createdAt, updatedAt: s.updatedAt, updatedBy: s.updatedBy };
    const read = readSavedRule(s.doc);
    let problem: string | null = null;
    if (!read.ok) problem = read.errors.join("; ");
    else if (read.rule.name !== s.name) problem = `is saved as "${s.name}" but names itself "${read.rule.name}"`;
    else if (names.has(s.name)) problem = "FLEETSCOPE_CONVENTIONS has a rule of this name, which is the one in force";
    else if (rules.length >= MAX_RULES) problem = `left aside: at most ${MAX_RULES} rules are read (MAX_RULES)`;
    if (problem !== null || !read.ok) {
      entries.push({ ...meta, rule: null, problem });
      continue;
    }
    names.add(s.name);
    rules.push(read.rule);
    entries.push({ ...meta, rule: read.rule, problem: null });
  }
  return { rules, entries };
}

/** Why a new rule cannot be saved beside these, or null (its own checks are readSavedRule's). */
export function saveRefusal(fileRules: readonly Rule[], current: RuleSet, name: string): string | null {
  if (fileRules.some((r) => r.name === name)) return `rule "${name}" comes from FLEETSCOPE_CONVENTIONS: change it there, or save this one under another name`;
  const exists = current.entries.some((e) => e.source === "saved" && e.name === name);
  if (!exists && current.rules.length >= MAX_RULES) return `at most ${MAX_RULES} rules are read (MAX_RULES): delete one first`;
  return null;
}
