/** How the overview orders devices. Pure, so every sort key is tested. */
import { recentAlarms, type DeviceEvents } from "./device-events";
import { messageRate, type LiveDevice } from "./live-devices";

export const SORTS = {
  name: "name",
  status: "status (offline first)",
  lastSeen: "last seen (latest first)",
  rate: "message rate (highest first)",
  alarms: "alarms (most first)",
} as const;
export type SortKey = keyof typeof SORTS;

const STATUS_ORDER = { offline: 0, unknown: 1, online: 2 } as const;

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
  return [...devices].sort((a, b) => (bySite ? a.site.localeCompare(b.site) : 0) || key(a) - key(b) || a.id.localeCompare(b.id, undefined, { numeric: true }));
}
