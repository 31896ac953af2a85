import "server-only";
/**
 * The rules and silences in force for the alert service (lib/alerting/service.ts), as the store
 * has them: read at start and every POLL_MS (other servers' routes save them too), each read
 * compared by a signature of ids and change times so an unchanged list costs no re-evaluation.
 * A stored rule that does not parse is kept out, with why (shown in /api/health).
 */
import type { AlertRule } from "../alerts/rule";
import type { Silence } from "../alerts/silence";
import type { AlertStore } from "../store/alerts";
import { readRule, readSilence } from "./records";

export class RuleBook {
  rules = new Map<string, AlertRule>();
  /** Stored rules that do not parse (a newer or hand-edited row), and states that do not, with why. */
  problems: { id: string; reason: string }[] = [];
  silences: Silence[] = [];
  private rulesSignature = "";
  private silencesSignature = "";

  constructor(private readonly store: AlertStore) {}

  /** Reads the stored rules; answers the rules in force before, or null when `onlyChanged` and nothing changed. */
  async readRules(onlyChanged: boolean): Promise<Map<string, AlertRule> | null> {
    const records = await this.store.listRules();
    const signature = records.map((r) => `${r.id}@${r.updatedAt}`).join(",");
    if (onlyChanged && signature === this.rulesSignature) return null;
    this.rulesSignature = signature;
    const rules = new Map<string, AlertRule>();
    const problems: { id: string; reason: string }[] = [];
    for (const r of records) {
      const read = readRule(r);
      if (read.ok) rules.set(r.id, read.rule);
      else problems.push({ id: r.id, reason: read.reason });
    }
    const old = this.rules;
    this.rules = rules;
    this.problems = problems;
    return old;
  }

  /** Reads the silences active at `now`; false when `onlyChanged` and nothing changed. */
  async readSilences(now: number, onlyChanged: boolean): Promise<boolean> {
    const records = await this.store.listSilences({ activeAt: now });
    const signature = records.map((r) => `${r.id}@${r.endsAt}`).join(",");
    if (onlyChanged && signature === this.silencesSignature) return false;
    this.silencesSignature = signature;
    this.silences = records.flatMap((r) => readSilence(r) ?? []);
    return true;
  }
}
