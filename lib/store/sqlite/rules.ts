import "server-only";
/**
 * Saved convention rules in SQLite, on the store's reading connection: a save is a row or two,
 * far too little to need the writer thread (as users.ts).
 */
import type Database from "better-sqlite3";
import { MAX_SAVED_RULES, rulesMigration, toRuleChange, toSavedRule, TooManyRulesError, type RuleAction, type RuleChange, type RuleChangeRow, type RuleStore, type SavedRule, type SavedRuleRow } from "../rules";

/** Appended to the SQLite MIGRATIONS list. */
export const SQLITE_RULES_MIGRATION = rulesMigration({ int: "INTEGER", serial: "INTEGER PRIMARY KEY AUTOINCREMENT" });

export class SqliteRules implements RuleStore {
  constructor(private readonly db: Database.Database) {}

  async list(): Promise<SavedRule[]> {
    return this.db.prepare<[], SavedRuleRow>(`SELECT * FROM convention_rules ORDER BY name`).all().map(toSavedRule);
  }

  async save(rule: { name: string; doc: string }, actor: string, now: number): Promise<RuleAction | "unchanged"> {
    // IMMEDIATE: the count and the write see the same rules, whoever else saves at once.
    return this.db
      .transaction((): RuleAction | "unchanged" => {
        const old = this.db.prepare<[string], { doc: string }>(`SELECT doc FROM convention_rules WHERE name = ?`).get(rule.name);
        if (old?.doc === rule.doc) return "unchanged";
        if (!old && this.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM convention_rules`).get()!.n >= MAX_SAVED_RULES) throw new TooManyRulesError();
        this.db
          .prepare(
            `INSERT INTO convention_rules (name, doc, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(rule.name, rule.doc, now, now, actor);
        const action: RuleAction = old ? "updated" : "created";
        this.record(now, actor, action, rule.name, rule.doc);
        return action;
      })
      .immediate();
  }

  async remove(name: string, actor: string, now: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.db.prepare(`DELETE FROM convention_rules WHERE name = ?`).run(name).changes === 0) return false;
        this.record(now, actor, "deleted", name, null);
        return true;
      })
      .immediate();
  }

  async changes(limit: number, name?: string): Promise<RuleChange[]> {
    const rows =
      name === undefined
        ? this.db.prepare<[number], RuleChangeRow>(`SELECT * FROM convention_rule_changes ORDER BY n DESC LIMIT ?`).all(limit)
        : this.db.prepare<[string, number], RuleChangeRow>(`SELECT * FROM convention_rule_changes WHERE name = ? ORDER BY n DESC LIMIT ?`).all(name, limit);
    return rows.map(toRuleChange);
  }

  private record(at: number, actor: string, action: RuleAction, name: string, doc: string | null) {
    this.db.prepare(`INSERT INTO convention_rule_changes (at, actor, action, name, doc) VALUES (?, ?, ?, ?, ?)`).run(at, actor, action, name, doc);
  }
}
