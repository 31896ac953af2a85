/**
 * The saved convention rules part of the store (a user's own rules made on `/topics`, next to
 * FLEETSCOPE_CONVENTIONS's file), with the audit trail of every change. Both implementations
 * (sqlite/rules.ts, postgres/rules.ts) pass test/rules.contract.ts. A rule is kept as the JSON text it
 * was saved with: the store checks nothing in it (lib/user-rules/rule-set.ts does, on reading, so a
 * rule a later version refuses is reported rather than lost).
 */

export interface SavedRule {
  name: string;
  /** The rule's JSON, as saved. */
  doc: string;
  createdAt: number;
  updatedAt: number;
  /** Who saved it last. */
  updatedBy: string;
}

export type RuleAction = "created" | "updated" | "deleted";

/** One change to the saved rules: the audit trail, newest first, kept past retention. */
export interface RuleChange {
  n: number;
  at: number;
  actor: string;
  action: RuleAction;
  name: string;
  /** The rule after the change; null for a deletion. */
  doc: string | null;
}

export interface RuleStore {
  /** By name. */
  list(): Promise<SavedRule[]>;
  /** Creates or replaces the rule and records the change in one transaction; "unchanged" records nothing. */
  save(rule: { name: string; doc: string }, actor: string, now: number): Promise<RuleAction | "unchanged">;
  /** False when there is no such rule (nothing is recorded then). */
  remove(name: string, actor: string, now: number): Promise<boolean>;
  /** Newest first; `name` narrows to one rule's changes. */
  changes(limit: number, name?: string): Promise<RuleChange[]>;
}

/** Saved rules past this many are refused (the rules a process reads are bounded by MAX_RULES too). */
export const MAX_SAVED_RULES = 32;

/** The two tables, one text for both stores: only the column types differ. */
export function rulesMigration(t: { int: string; serial: string }): string {
  return `CREATE TABLE convention_rules (
     name TEXT PRIMARY KEY, doc TEXT NOT NULL, created_at ${t.int} NOT NULL, updated_at ${t.int} NOT NULL, updated_by TEXT NOT NULL
   );
   CREATE TABLE convention_rule_changes (
     n ${t.serial}, at ${t.int} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, name TEXT NOT NULL, doc TEXT
   );
   CREATE INDEX convention_rule_changes_name ON convention_rule_changes (name, n);`;
}

export interface SavedRuleRow {
  name: string;
  doc: string;
  created_at: number | string;
  updated_at: number | string;
  updated_by: string;
}

export interface RuleChangeRow {
  n: number | string;
  at: number | string;
  actor: string;
  action: string;
  name: string;
  doc: string | null;
}

/** PostgreSQL hands BIGINT back as text. */
export const toSavedRule = (r: SavedRuleRow): SavedRule => ({ name: r.name, doc: r.doc, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), updatedBy: r.updated_by });

export const toRuleChange = (r: RuleChangeRow): RuleChange => ({ n: Number(r.n), at: Number(r.at), actor: r.actor, action: r.action as RuleAction, name: r.name, doc: r.doc });

export class TooManyRulesError extends Error {
  constructor() {
    super(`at most ${MAX_SAVED_RULES} rules can be saved (MAX_SAVED_RULES): delete one first`);
    this.name = "TooManyRulesError";
  }
}
