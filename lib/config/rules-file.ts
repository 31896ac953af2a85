/**
 * FLEETSCOPE_CONVENTIONS: a user's own rules (lib/devices/conventions/rules.ts), as
 * `@path/rules.json` or the JSON itself. Read and checked at start: every problem is said, each
 * naming the rule and the key.
 */
import { readFileSync } from "node:fs";
import { parseRules, type Rule } from "../devices/conventions/rules";

export function readConventionRules(value: string): Rule[] {
  let text = value;
  if (value.startsWith("@")) {
    const path = value.slice(1);
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = parseRules(json);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.rules;
}
