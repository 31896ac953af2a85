/**
 * The browser's live view of the fleet: what a batch of MQTT messages does to it. Pure and
 * immutable (new objects for changed devices only), so React selectors stay narrow.
 */
import type { ConventionId, DeviceFacts } from "../devices/convention";
import { asEpochMs, type Device, type DeviceStatus, type DeviceWithValues } from "../devices/model";
import type { Interpreter } from "../devices/registry";
import type { ReadMessage } from "./device-events";
import { appendPoint, EMPTY_SERIES, type LiveSeries, type Point } from "./live-series";

/** Fields charted per device; telemetry beyond this keeps its latest value only. */
export const LIVE_FIELDS = 16;

export interface LiveDevice {
  id: string;
  name: string;
  /** The convention's group (site, Sparkplug group, HA area, bridge). */
  site: string;
  convention: ConventionId;
  status: DeviceStatus;
  statusReason: string | null;
  since: number | null;
  /** Units of fields, as the convention says them. */
  units: Record<string, string>;
  lastSeen: number;
  values: Record<string, number>;
  /** Bounded, and immutable once returned (lib/state/live-series.ts). */
  series: Record<string, LiveSeries>;
  /** Receipt times of the last RATE_WINDOW messages with measurements, oldest first. */
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
  /** The payload's bytes, for the conventions that read binary (Sparkplug); else made from `payload`. */
  bytes?: Uint8Array;
  retain: boolean;
  /** When the browser received it. */
  ts: number;
}

export type LiveDevices = ReadonlyMap<string, LiveDevice>;

function blank(id: string, site: string): LiveDevice {
  return { id, name: id, site, convention: "demo", status: "unknown", statusReason: null, since: null, units: {}, lastSeen: 0, values: {}, series: {}, arrivals: [] };
}

const encoder = new TextEncoder();

/** Each message of a batch as the conventions read it: once, for every slice of the store. */
export function readBatch(batch: readonly LiveMessage[], conventions: Interpreter): ReadMessage[] {
  return batch.map((m) => ({
    m,
    reading: conventions.read({ topic: m.topic, payload: m.bytes ?? encoder.encode(m.payload), text: m.payload, retain: m.retain, qos: 0, ts: asEpochMs(m.ts) }),
  }));
}

/** What a batch of messages does to the live devices, as the conventions read them. */
export function applyMessages(devices: LiveDevices, batch: readonly LiveMessage[], conventions: Interpreter): LiveDevices {
  return applyReadings(devices, readBatch(batch, conventions));
}

export function applyReadings(devices: LiveDevices, batch: readonly ReadMessage[]): LiveDevices {
  let next: Map<string, LiveDevice> | null = null;
  // Copy on first write within the batch, then mutate the copy in place: a frame holding many
  // messages for one device copies it once, not once per message.
  const drafts = new Map<string, LiveDevice>();
  const draft = (f: DeviceFacts): LiveDevice => {
    let d = drafts.get(f.id);
    if (d) return d;
    next ??= new Map(devices);
    const prev = next.get(f.id) ?? blank(f.id, f.group);
    // Arrivals are copied keeping one place free below their bound: the usual frame brings one
    // message per device, which then needs no second copy to trim.
    d = { ...prev, values: { ...prev.values }, series: { ...prev.series }, arrivals: prev.arrivals.slice(-(RATE_WINDOW - 1)) };
    drafts.set(f.id, d);
    next.set(d.id, d);
    return d;
  };
  for (const { m, reading } of batch) {
    for (const f of reading.facts) {
      const d = draft(f);
      d.site = f.group;
      d.name = f.name;
      d.convention = f.convention;
      if (f.liveness) {
        if (d.status !== f.liveness.status || d.since === null) d.since = f.liveness.since;
        d.status = f.liveness.status;
        d.statusReason = f.liveness.reason;
      }
      if (f.seen) d.lastSeen = m.ts; // a retained status is old news, not a sign of life
      const measured = f.measurements;
      if (!measured) continue;
      // A retained value is the broker's copy of an old one: it says nothing of the rate.
      if (!m.retain) d.arrivals.push(m.ts);
      const seq = f.id === reading.device ? (reading.seq?.value ?? null) : null;
      for (const name in measured) {
        const { value, unit } = measured[name]!;
        d.values[name] = value;
        if (unit !== undefined && d.units[name] !== unit) d.units = { ...d.units, [name]: unit };
        const series = d.series[name];
        if (!series && Object.keys(d.series).length >= LIVE_FIELDS) continue;
        d.series[name] = appendPoint(series ?? EMPTY_SERIES, m.ts, value, seq);
      }
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
/** A device as GET /api/devices gives it; older servers gave fewer keys. */
export type KnownDevice = Pick<Device, "id" | "site" | "status" | "lastSeen" | "fields"> &
  Partial<Pick<Device, "name" | "convention" | "statusReason" | "since">> & { values?: DeviceWithValues["values"] };

export function mergeKnownDevices(devices: LiveDevices, known: readonly KnownDevice[]): LiveDevices {
  const next = new Map(devices);
  for (const k of known) {
    const stored: Record<string, number> = {};
    const units: Record<string, string> = {};
    for (const [f, v] of Object.entries(k.values ?? {})) {
      stored[f] = v.value;
      if (v.unit !== undefined) units[f] = v.unit;
    }
    const live = next.get(k.id);
    if (!live) {
      next.set(k.id, {
        ...blank(k.id, k.site),
        name: k.name ?? k.id,
        convention: k.convention ?? "demo",
        status: k.status,
        statusReason: k.statusReason ?? null,
        since: k.since ?? null,
        units,
        lastSeen: k.lastSeen,
        values: stored,
      });
      continue;
    }
    const d = { ...live };
    if (Object.keys(units).some((f) => !(f in live.units))) d.units = { ...units, ...live.units };
    if (live.lastSeen < k.lastSeen) d.lastSeen = k.lastSeen;
    if (live.status === "unknown" && k.status !== "unknown") {
      d.status = k.status;
      d.statusReason = k.statusReason ?? null;
      d.since = k.since ?? null;
    }
    if (Object.keys(stored).some((f) => !(f in live.values))) d.values = { ...stored, ...live.values };
    if (d.lastSeen !== live.lastSeen || d.status !== live.status || d.values !== live.values || d.units !== live.units) next.set(k.id, d);
  }
  return next;
}

/** The field a sparkline shows: temperature when the device reports one, else its first field. */
export function headlineField(d: LiveDevice): string | undefined {
  return headlineOf(Object.keys(d.series));
}

/** Of these fields, the one a sparkline shows (headlineField): for a device whose series are still to be read. */
export function headlineOf(fields: string[]): string | undefined {
  return fields.find((f) => f === "temp") ?? fields.sort()[0];
}

/** Series read from the store (a past view's sparklines) for fields that have none yet: playback may have begun one. */
export function withStoredSeries(devices: LiveDevices, stored: readonly { device: string; field: string; points: readonly Point[] }[]): LiveDevices {
  const next = new Map(devices);
  for (const { device, field, points } of stored) {
    const d = next.get(device);
    if (!d || d.series[field] || points.length === 0) continue;
    let series = EMPTY_SERIES;
    for (const p of points) series = appendPoint(series, p.t, p.v, p.seq ?? null);
    next.set(device, { ...d, series: { ...d.series, [field]: series } });
  }
  return next;
}
