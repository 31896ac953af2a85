/**
 * The browser's live view of the fleet: what a batch of MQTT messages does to it. Pure and
 * immutable (new objects for changed devices only), so React selectors stay narrow.
 */
import { numericFields, parseDemoTopic, parseJsonObject, parseStatus, seqOf } from "../devices/demo-convention";
import type { Device, DeviceStatus, DeviceWithValues } from "../devices/model";
import { appendPoint, EMPTY_SERIES, type LiveSeries } from "./live-series";

/** Fields charted per device; telemetry beyond this keeps its latest value only. */
export const LIVE_FIELDS = 16;

export interface LiveDevice {
  id: string;
  site: string;
  status: DeviceStatus;
  lastSeen: number;
  values: Record<string, number>;
  /** Bounded, and immutable once returned (lib/state/live-series.ts). */
  series: Record<string, LiveSeries>;
  /** Receipt times of the last RATE_WINDOW telemetry messages, oldest first. */
  arrivals: number[];
}

/** Telemetry messages the rate is measured over. */
export const RATE_WINDOW = 20;
/** A device silent this long has a rate of 0, whatever came before. */
const RATE_STALE_MS = 10_000;

/** Telemetry messages per second over the last RATE_WINDOW arrivals. */
export function messageRate(arrivals: readonly number[], now: number): number {
  const last = arrivals[arrivals.length - 1];
  if (arrivals.length < 2 || last === undefined || now - last > RATE_STALE_MS) return 0;
  const span = (last - arrivals[0]!) / 1000;
  return span > 0 ? (arrivals.length - 1) / span : 0;
}

export interface LiveMessage {
  topic: string;
  payload: string;
  retain: boolean;
  /** When the browser received it. */
  ts: number;
}

export type LiveDevices = ReadonlyMap<string, LiveDevice>;

function blank(id: string, site: string): LiveDevice {
  return { id, site, status: "unknown", lastSeen: 0, values: {}, series: {}, arrivals: [] };
}

export function applyMessages(devices: LiveDevices, batch: readonly LiveMessage[]): LiveDevices {
  let next: Map<string, LiveDevice> | null = null;
  // Copy on first write within the batch, then mutate the copy in place: a frame holding many
  // messages for one device copies it once, not once per message.
  const drafts = new Map<string, LiveDevice>();
  for (const m of batch) {
    const demo = parseDemoTopic(m.topic);
    if (!demo || demo.rest.length > 0) continue;
    if (demo.kind !== "telemetry" && demo.kind !== "status") continue;
    next ??= new Map(devices);
    let d = drafts.get(demo.device);
    if (!d) {
      const prev = next.get(demo.device) ?? blank(demo.device, demo.site);
      // Arrivals are copied keeping one place free below their bound: the usual frame brings one
      // message per device, which then needs no second copy to trim.
      d = { ...prev, values: { ...prev.values }, series: { ...prev.series }, arrivals: prev.arrivals.slice(-(RATE_WINDOW - 1)) };
      drafts.set(demo.device, d);
      next.set(d.id, d);
    }
    d.site = demo.site;
    if (demo.kind === "status") {
      const status = parseStatus(m.payload);
      if (status) d.status = status;
      if (!m.retain) d.lastSeen = m.ts; // a retained status is old news, not a sign of life
      continue;
    }
    d.lastSeen = m.ts;
    d.arrivals.push(m.ts);
    const json = parseJsonObject(m.payload);
    if (!json) continue;
    const seq = seqOf(json);
    for (const [f, v] of Object.entries(numericFields(json))) {
      d.values[f] = v;
      const series = d.series[f];
      if (!series && Object.keys(d.series).length >= LIVE_FIELDS) continue;
      d.series[f] = appendPoint(series ?? EMPTY_SERIES, m.ts, v, seq);
    }
  }
  // Bound what the batch appended: the oldest arrivals fall off, so memory stays flat.
  for (const d of drafts.values()) if (d.arrivals.length > RATE_WINDOW) d.arrivals = d.arrivals.slice(-RATE_WINDOW);
  return next ?? devices;
}

/**
 * Merges the devices the server knows (from GET /api/devices) under what arrived live: their
 * stored latest values too, so a device that reports rarely shows its last values, not nothing,
 * until it next does. Live values win.
 */
export function mergeKnownDevices(devices: LiveDevices, known: readonly (Device & { values?: DeviceWithValues["values"] })[]): LiveDevices {
  const next = new Map(devices);
  for (const k of known) {
    const stored: Record<string, number> = {};
    for (const [f, v] of Object.entries(k.values ?? {})) stored[f] = v.value;
    const live = next.get(k.id);
    if (!live) {
      next.set(k.id, { ...blank(k.id, k.site), status: k.status, lastSeen: k.lastSeen, values: stored });
      continue;
    }
    const d = { ...live };
    if (live.lastSeen < k.lastSeen) d.lastSeen = k.lastSeen;
    if (live.status === "unknown") d.status = k.status;
    if (Object.keys(stored).some((f) => !(f in live.values))) d.values = { ...stored, ...live.values };
    if (d.lastSeen !== live.lastSeen || d.status !== live.status || d.values !== live.values) next.set(k.id, d);
  }
  return next;
}

/** The field a sparkline shows: temperature when the device reports one, else its first field. */
export function headlineField(d: LiveDevice): string | undefined {
  const fields = Object.keys(d.series);
  return fields.find((f) => f === "temp") ?? fields.sort()[0];
}
