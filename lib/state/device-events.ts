/**
 * A device's event feed: alarms (QoS 0), logs (QoS 1) and status changes, from the live stream
 * and from the store's messages, as one list newest first. Pure and bounded.
 */
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { asEpochMs, type DeviceStatus } from "../devices/model";
import { Interpreter, type Reading } from "../devices/registry";

/** A message and what the conventions made of it, read once for every slice of the store. */
export interface ReadMessage {
  m: { ts: number; retain: boolean };
  reading: Reading;
}

/** Events kept per device in the browser. */
export const EVENTS_PER_DEVICE = 200;
/** Characters of an event's text shown; the raw message stays in the store. */
const MAX_TEXT = 500;

export type EventKind = "alarm" | "log" | "status";

export interface DeviceEvent {
  t: number;
  kind: EventKind;
  /** `info`, `warning`, `error`… as the device says; alarms without one are `warning`. */
  level: string;
  text: string;
  seq: number | null;
  /** A status event's status and its reason, as the convention said them. */
  status?: DeviceStatus;
  reason?: string;
}

/**
 * The events a message's reading holds: alarms and logs its convention saw in it, and status
 * changes said live (a retained status is the broker's copy of an old one).
 */
export function eventsOf(reading: Reading, t: number, retained: boolean): { device: string; event: DeviceEvent }[] {
  const out: { device: string; event: DeviceEvent }[] = [];
  for (const f of reading.facts) {
    const seq = f.id === reading.device ? (reading.seq?.value ?? null) : null;
    for (const e of f.events ?? []) out.push({ device: f.id, event: { t, kind: e.kind, level: e.level, text: e.text.slice(0, MAX_TEXT), seq } });
    const l = f.liveness;
    if (l && !retained) {
      // The demo's reason is the status itself; any other says why, and the feed says it too.
      const text = l.reason === `status ${l.status}` ? l.status : `${l.status}: ${l.reason}`;
      out.push({ device: f.id, event: { t, kind: "status", level: l.status === "online" ? "info" : "warning", text: text.slice(0, MAX_TEXT), seq: null, status: l.status, reason: l.reason.slice(0, MAX_TEXT) } });
    }
  }
  return out;
}

/** A stored message as an event, read on its own (a stored backfill, not the live stream). */
export function toEvent(topic: string, payload: string, t: number, conventions = new Interpreter(BUILT_IN_CONVENTIONS)): { device: string; event: DeviceEvent } | null {
  const reading = conventions.read({ topic, payload: new TextEncoder().encode(payload), text: payload, retain: false, qos: 0, ts: asEpochMs(t) });
  return eventsOf(reading, t, false)[0] ?? null;
}

/** Syslog's order of severity, least first, under the spellings devices use. */
const SEVERITY: ReadonlyMap<string, number> = new Map(Object.entries({
  trace: 0, debug: 1, info: 2, notice: 3, warn: 4, warning: 4, error: 5, err: 5, critical: 6, crit: 6, alert: 7, emergency: 8, emerg: 8, fatal: 8,
}));
// A Map, not an object's keys: a device's level may be "constructor".
const severityOf = (level: string): number | undefined => SEVERITY.get(level.toLowerCase());

/**
 * Whether an event passes the level filter: a known level lets through itself and every more
 * severe one, as log tools do ("info" hides debug, not warnings); a device's own word, itself only.
 */
export function passesLevel(eventLevel: string, filter: string): boolean {
  if (filter === "all") return true;
  const want = severityOf(filter);
  if (want === undefined) return eventLevel === filter;
  const got = severityOf(eventLevel);
  return got !== undefined && got >= want;
}

/** The filter's choices for the levels present: known ones by severity (with whether they take in more), then the rest by name. */
export function levelChoices(levels: Iterable<string>): { value: string; label: string }[] {
  const present = [...new Set(levels)];
  const known = present.filter((l) => severityOf(l) !== undefined).sort((a, b) => severityOf(a)! - severityOf(b)! || a.localeCompare(b));
  const own = present.filter((l) => severityOf(l) === undefined).sort();
  const top = Math.max(...known.map((l) => severityOf(l)!));
  return [...known.map((l) => ({ value: l, label: severityOf(l)! < top ? `${l} and above` : l })), ...own.map((l) => ({ value: l, label: l }))];
}

/** Same kind and seq, or same kind, time and text: one event seen twice (live and from the store). */
const sameEvent = (a: DeviceEvent, b: DeviceEvent) =>
  a.kind === b.kind && (a.seq !== null && b.seq !== null ? a.seq === b.seq && Math.abs(a.t - b.t) < 60_000 : a.t === b.t && a.text === b.text);

/** Merges events into a feed: newest first, duplicates once, at most EVENTS_PER_DEVICE. */
export function mergeEvents(feed: readonly DeviceEvent[], incoming: readonly DeviceEvent[]): DeviceEvent[] {
  const all = [...feed];
  for (const e of incoming) if (!all.some((x) => sameEvent(x, e))) all.push(e);
  return all.sort((a, b) => b.t - a.t).slice(0, EVENTS_PER_DEVICE);
}

export type DeviceEvents = ReadonlyMap<string, DeviceEvent[]>;

/**
 * Folds a batch of live messages into the feeds of the devices they concern. A retained message is
 * the broker's copy of an old one, sent on every subscribe: stamped with its arrival it would add a
 * "status online" of now to a feed on each page load. The store has it, at the time it happened.
 */
export function applyEventMessages(events: DeviceEvents, batch: readonly ReadMessage[]): DeviceEvents {
  const incoming = new Map<string, DeviceEvent[]>();
  for (const { m, reading } of batch) {
    if (m.retain) continue;
    for (const e of eventsOf(reading, m.ts, false)) {
      const list = incoming.get(e.device);
      if (list) list.push(e.event);
      else incoming.set(e.device, [e.event]);
    }
  }
  if (incoming.size === 0) return events;
  const next = new Map(events);
  for (const [device, list] of incoming) next.set(device, mergeEvents(next.get(device) ?? [], list));
  return next;
}

/** An hour, the window "alarms" counts over on the overview. */
export const ALARM_WINDOW_MS = 3_600_000;

/** Alarms in the last hour of a feed; the feed is newest first, so the scan stops at the hour. */
export function recentAlarms(feed: readonly DeviceEvent[] | undefined, now: number): number {
  let n = 0;
  for (const e of feed ?? []) {
    if (e.t <= now - ALARM_WINDOW_MS) break;
    if (e.kind === "alarm") n++;
  }
  return n;
}
