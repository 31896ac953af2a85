import "server-only";
/** Saved convention rules in PostgreSQL: the same tables and meaning as lib/store/sqlite/rules.ts. */
import type pg from "pg";
import { inTransaction } from "./checkout";
import { MAX_SAVED_RULES, rulesMigration, toRuleChange, toSavedRule, TooManyRulesError, type RuleAction, type RuleChange, type RuleChangeRow, type RuleStore, type SavedRule, type SavedRuleRow } from "../rules";

/** Appended to the PostgreSQL MIGRATIONS list. */
export const PG_RULES_MIGRATION = rulesMigration({ int: "BIGINT", serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" });

/** Any constant: serialises saves, so the count and the write see the same rules. */
const SAVE_LOCK = 0x52554c45;

export class PgRules implements RuleStore {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<SavedRule[]> {
    // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
    const { rows } = await this.pool.query<SavedRuleRow>(`SELECT * FROM convention_rules ORDER BY name COLLATE "C"`);
    return rows.map(toSavedRule);
  }

  save(rule: { name: string; doc: string }, actor: string, now: number): Promise<RuleAction | "unchanged"> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock($1)`, [SAVE_LOCK]);
      const { rows } = await c.query<{ doc: string }>(`SELECT doc FROM convention_rules WHERE name = $1`, [rule.name]);
      const old = rows[0];
      if (old?.doc === rule.doc) return "unchanged";
      if (!old) {
        const { rows: n } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM convention_rules`);
        if (Number(n[0]!.n) >= MAX_SAVED_RULES) throw new TooManyRulesError();
      }
      await c.query(
        `INSERT INTO convention_rules (name, doc, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $3, $4)
         ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [rule.name, rule.doc, now, actor],
      );
      const action: RuleAction = old ? "updated" : "created";
      await record(c, now, actor, action, rule.name, rule.doc);
      return action;
    });
  }

  remove(name: string, actor: string, now: number): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const { rowCount } = await c.query(`DELETE FROM convention_rules WHERE name = $1`, [name]);
      if (rowCount === 0) return false;
      await record(c, now, actor, "deleted", name, null);
      return true;
    });
  }

  async changes(limit: number, name?: string): Promise<RuleChange[]> {
    const { rows } =
      name === undefined
        ? await this.pool.query<RuleChangeRow>(`SELECT * FROM convention_rule_changes ORDER BY n DESC LIMIT $1`, [limit])
        : await this.pool.query<RuleChangeRow>(`SELECT * FROM convention_rule_changes WHERE name = $1 ORDER BY n DESC LIMIT $2`, [name, limit]);
    return rows.map(toRuleChange);
  }
}

function record(c: pg.PoolClient, at: number, actor: string, action: RuleAction, name: string, doc: string | null) {
  return c.query(`INSERT INTO convention_rule_changes (at, actor, action, name, doc) VALUES ($1, $2, $3, $4, $5)`, [at, actor, action, name, doc]);
}
