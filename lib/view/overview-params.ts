/**
 * The overview's filter, sort and grouping in its URL (`/?q=plant-a&sort=status&group=none`), so
 * a reload or a shared link opens the same list. Pure: parsing takes anything a user may paste,
 * and the query written is canonical (empty for the defaults).
 */
import { SORTS, type SortKey } from "./fleet-order";

export interface OverviewView {
  filter: string;
  sort: SortKey;
  bySite: boolean;
}

/** Longer filters are typing accidents; the URL keeps a readable head of one. */
const MAX_FILTER = 200;

export function parseOverview(params: { get(name: string): string | null }): OverviewView {
  const sort = params.get("sort");
  return {
    filter: (params.get("q") ?? "").slice(0, MAX_FILTER),
    sort: sort !== null && Object.hasOwn(SORTS, sort) ? (sort as SortKey) : "name",
    bySite: params.get("group") !== "none",
  };
}

export function overviewQuery(v: OverviewView): string {
  const q = new URLSearchParams();
  if (v.filter) q.set("q", v.filter.slice(0, MAX_FILTER));
  if (v.sort !== "name") q.set("sort", v.sort);
  if (!v.bySite) q.set("group", "none");
  const s = q.toString();
  return s ? `?${s}` : "";
}
