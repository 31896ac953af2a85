/**
 * The device page's view in its URL (`?range=1h&from=…&to=…&fields=temp,current`), so a link
 * opens the same view; `decimals=temp:1` keeps the precision chosen per field. `range` is the preset; `from`/`to`, when present, a fixed window (a custom
 * range or a zoom) shown instead of it, and Reset goes back to the preset. Pure: parsing tolerates
 * anything a user may paste; formatting is canonical.
 */
import { rangeFromParam, RANGES, type RangeKey } from "../state/history-merge";
import { formatDecimals, parseDecimals } from "../devices/units";
import { parseWindow, windowProblem, type TimeWindow } from "./time-window";

export interface View {
  range: RangeKey;
  /** A fixed window shown instead of the live range; null follows the live range. */
  window: TimeWindow | null;
  /** Fields shown; null means all of them. */
  fields: string[] | null;
  /** Decimals chosen per field; a field not named here is formatted automatically. */
  decimals: Record<string, number>;
}

/** Fields named in the URL; null means all of them. */
export function parseFields(param: string | null): string[] | null {
  if (param === null) return null;
  const fields = param.split(",").map((f) => f.trim()).filter(Boolean);
  return fields.length ? [...new Set(fields)] : null;
}

export function parseView(params: { get(name: string): string | null }): View {
  return {
    range: rangeFromParam(params.get("range")).key,
    window: parseWindow(params.get("from"), params.get("to")),
    fields: parseFields(params.get("fields")),
    decimals: parseDecimals(params.get("decimals")),
  };
}

/**
 * What a pasted link asked for that the page cannot show, in words: parseView falls back to the
 * live range quietly, and a view other than the one the link meant must say why.
 */
export function viewProblems(params: { get(name: string): string | null }): string[] {
  const problems: string[] = [];
  const range = params.get("range");
  if (range !== null && rangeFromParam(range).key !== range) problems.push(`range ${JSON.stringify(range)} is not one of ${RANGES.map((r) => r.key).join(", ")}`);
  const window = windowProblem(params.get("from"), params.get("to"));
  if (window) problems.push(`from/to: ${window}`);
  return problems;
}

/** Shows `field` if hidden and hides it if shown; showing every field again means "all" (null). */
export function toggleField(shown: string[] | null, all: readonly string[], field: string): string[] | null {
  const current = shown ?? [...all];
  const next = current.includes(field) ? current.filter((f) => f !== field) : [...current, field];
  // The last field shown stays: none at all would read, in the URL, as the default of all of them.
  if (!next.some((f) => all.includes(f))) return shown;
  return all.every((f) => next.includes(f)) ? null : next;
}

export function viewQuery(view: View): string {
  const q = new URLSearchParams({ range: view.range });
  if (view.window) {
    q.set("from", String(view.window.from));
    q.set("to", String(view.window.to));
  }
  if (view.fields) q.set("fields", [...view.fields].sort().join(","));
  const decimals = formatDecimals(view.decimals);
  if (decimals) q.set("decimals", decimals);
  return `?${q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":")}`;
}
