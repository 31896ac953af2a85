/**
 * The device page's view in its URL (`?range=1h&fields=temp,current`), so a link opens the same
 * view. Pure: parsing tolerates anything a user may paste; formatting is canonical.
 */

/** Fields named in the URL; null means all of them. */
export function parseFields(param: string | null): string[] | null {
  if (param === null) return null;
  const fields = param.split(",").map((f) => f.trim()).filter(Boolean);
  return fields.length ? [...new Set(fields)] : null;
}

/** Shows `field` if hidden and hides it if shown; showing every field again means "all" (null). */
export function toggleField(shown: string[] | null, all: readonly string[], field: string): string[] | null {
  const current = shown ?? [...all];
  const next = current.includes(field) ? current.filter((f) => f !== field) : [...current, field];
  return all.every((f) => next.includes(f)) ? null : next;
}

export function viewQuery(range: string, fields: string[] | null): string {
  const q = new URLSearchParams({ range });
  if (fields) q.set("fields", [...fields].sort().join(","));
  return `?${q.toString().replace(/%2C/g, ",")}`;
}
