/** How the overview orders devices. Pure, so every sort key is tested. */
import { recentAlarms, type DeviceEvents } from "../state/device-events";
import { messageRate, type LiveDevice } from "../state/live-devices";

export const SORTS = {
  name: "name",
  status: "status (offline first)",
  lastSeen: "last seen (latest first)",
  rate: "message rate (highest first)",
  alarms: "alarms (most first)",
} as const;
export type SortKey = keyof typeof SORTS;

const STATUS_ORDER = { offline: 0, unknown: 1, online: 2 } as const;

/** One collator for every comparison: `localeCompare` with options builds one per call. */
const collator = new Intl.Collator(undefined, { numeric: true });

/** Names ranked at most; past it the ranks start over from the names in hand. */
const MAX_RANKED = 50_000;
/**
 * Each site and device id seen, by its place in collation order. The overview sorts 1,000
 * devices on every frame of a busy stream: comparing numbers instead of calling the collator
 * twice per comparison (some 20,000 calls a frame) was the biggest script cost left in a frame.
 * Names change only when devices appear, so the ranks are rebuilt rarely. A memo of a pure
 * function, not state: the order is the same with or without it.
 */
const ranks = new Map<string, number>();

function rankAll(names: readonly string[]): void {
  if (names.every((n) => ranks.has(n))) return;
  const all = new Set(ranks.size + names.length > MAX_RANKED ? names : [...ranks.keys(), ...names]);
  ranks.clear();
  [...all].sort(collator.compare).forEach((n, i) => ranks.set(n, i));
}

export function orderDevices(devices: Iterable<LiveDevice>, events: DeviceEvents, sort: SortKey, bySite: boolean, now: number): LiveDevice[] {
  const key = (d: LiveDevice): number => {
    switch (sort) {
      case "status":
        return STATUS_ORDER[d.status];
      case "lastSeen":
        return -d.lastSeen;
      case "rate":
        return -messageRate(d.arrivals, now);
      case "alarms":
        return -recentAlarms(events.get(d.id), now);
      case "name":
        return 0;
    }
  };
  const list = Array.from(devices);
  rankAll(list.flatMap((d) => [d.site, d.id]));
  // Each device's keys computed once, not once per comparison (a rate walks its arrivals).
  const keyed = list.map((d) => ({ d, site: bySite ? ranks.get(d.site)! : 0, k: key(d), id: ranks.get(d.id)! }));
  keyed.sort((a, b) => a.site - b.site || a.k - b.k || a.id - b.id);
  return keyed.map((x) => x.d);
}

/**
 * Whether two states of the fleet hold the same devices on the same sites: then an order that
 * depends on names only (the "name" sort, a text filter) is the same for both. The overview
 * asks this on every frame of a busy stream instead of sorting a thousand devices again.
 */
export function sameRoster(a: ReadonlyMap<string, { site: string }>, b: ReadonlyMap<string, { site: string }>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [id, d] of b) if (a.get(id)?.site !== d.site) return false;
  return true;
}
