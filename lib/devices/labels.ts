/** How each convention is named on the page: its own label; a user's rule by its name. */
import { BUILT_IN_CONVENTIONS } from "./builtin";
import type { ConventionId } from "./convention";

const LABELS = new Map<string, string>(BUILT_IN_CONVENTIONS.map((c) => [c.id, c.label]));

export function conventionLabel(id: ConventionId | string): string {
  if (id.startsWith("rule:")) return `Rule ${id.slice(5)}`;
  return LABELS.get(id) ?? id;
}
