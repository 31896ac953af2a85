import "server-only";
/**
 * What the saved-rule routes share: the rules in force read fresh from the store, and the rule
 * name a path may carry.
 */
import type { Store } from "../store/types";
import { ruleNameSchema, type Rule } from "../devices/conventions/rules";
import { ruleSet, type RuleSet } from "./rule-set";

/** A name the path gives is checked before the store is asked. */
export const ruleNameParam = ruleNameSchema;

/** Audit entries a listing returns. */
export const RULE_CHANGES_LISTED = 50;

export async function rulesInForce(store: Store, fileRules: readonly Rule[]): Promise<RuleSet> {
  return ruleSet(fileRules, await store.rules.list());
}
