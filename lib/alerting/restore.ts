import "server-only";
/**
 * A new lease holder's evaluator, from what the last one stored (lib/alerting/service.ts): every
 * state row, the time they were last written and the loss rules' counters, restored by the
 * evaluator (lib/alerts/evaluator.ts `restore`: pending timers resume, firing alerts stay firing,
 * downtime is not silence). States of rules deleted meanwhile are named so they can go.
 */
import { AlertEvaluator, SNAPSHOT_VERSION } from "../alerts/evaluator";
import type { AlertRule } from "../alerts/rule";
import type { Transition } from "../alerts/state";
import type { AlertStore } from "../store/alerts";
import { parseJson } from "./records";

export const META_SAVED_AT = "evaluator.savedAt";
export const META_SEQ = "evaluator.seq";

export interface Restored {
  evaluator: AlertEvaluator;
  /** What the restore itself changed (a rule that changed while stopped). */
  transitions: Transition[];
  /** Stored states that could not be read, with why. */
  problems: { id: string; reason: string }[];
  /** Rules with stored states that no longer exist. */
  gone: Set<string>;
}

export async function restoreEvaluator(store: AlertStore, rules: ReadonlyMap<string, AlertRule>, now: number): Promise<Restored> {
  const evaluator = new AlertEvaluator([...rules.values()]);
  const states: unknown[] = [];
  const gone = new Set<string>();
  const problems: { id: string; reason: string }[] = [];
  for (const r of await store.loadStates()) {
    if (!rules.has(r.rule)) gone.add(r.rule);
    try {
      states.push(JSON.parse(r.state));
    } catch {
      problems.push({ id: r.rule, reason: `a stored state of device ${r.device} is not JSON` });
    }
  }
  const savedAt = Number(await store.getMeta(META_SAVED_AT)) || now;
  const seq = parseJson(await store.getMeta(META_SEQ)) ?? [];
  const restored = evaluator.restore({ version: SNAPSHOT_VERSION, savedAt, states, seq }, now);
  for (const reason of restored.refused) problems.push({ id: "state", reason });
  return { evaluator, transitions: restored.transitions, problems, gone };
}
