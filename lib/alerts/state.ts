/**
 * The state of one rule on one device, as plain JSON: what the store keeps so a restart resumes
 * pending timers and firing alerts (lib/alerts/evaluator.ts restores it). The schema checks a
 * stored snapshot before it is trusted again: a row edited by hand or written by an older
 * version is refused with a reason rather than half-read.
 */
import { z } from "zod";
import type { DeviceId } from "../devices/model";

export const ALERT_STATUSES = ["normal", "pending", "firing", "firing_no_data", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** What caused a transition: a number read, a liveness reason, a count. */
export type AlertValue = number | string | null;

/** The transitions a state keeps itself; the store keeps the whole history (the evaluator hands each one out). */
export const MAX_RECENT_TRANSITIONS = 20;

export interface Transition {
  rule: string;
  device: DeviceId;
  from: AlertStatus;
  to: AlertStatus;
  at: number;
  /** In an operator's words: "temp 31.5 above 30 for 10s", "device offline: LWT offline". */
  reason: string;
  value: AlertValue;
}

/** Acknowledged: a flag on an open alert, not a state. Cleared when the alert resolves. */
export interface Ack {
  by: string;
  at: number;
  comment: string;
}

export interface Liveness {
  status: "online" | "offline" | "unknown";
  reason: string;
  since: number;
}

export interface AlertState {
  rule: string;
  device: DeviceId;
  /** As the device's convention last said (labels, and selector checks when a rule changes). */
  group: string | null;
  convention: string | null;
  status: AlertStatus;
  /** When `status` began. */
  since: number;
  /** When the condition began to hold (the start of pending; `for` counts from here). */
  activeSince: number | null;
  /** When this episode began firing: Alertmanager's startsAt. */
  firedAt: number | null;
  resolvedAt: number | null;
  /** While firing with the condition gone: since when (keep-firing-for counts from here). */
  clearSince: number | null;
  /** The condition as last evaluated (for band rules, the Schmitt trigger's output). */
  active: boolean;
  /** The value the condition last read. */
  value: AlertValue;
  /** The last observation that was data for this rule. */
  lastDataAt: number | null;
  /** Silence is measured from here: data, a reconnect, or a restore that did not count the downtime. */
  quietSince: number;
  liveness: Liveness | null;
  /** The device came back online at this time and has sent no value for this rule since. */
  reconnectedAt: number | null;
  /** Restored after a downtime: no duration completes before a fresh observation (see evaluator). */
  awaitingData: boolean;
  /** Rate rules' samples, [t, v]. */
  samples: [number, number][];
  /** Loss rules' buckets, [start, received, lost]. */
  buckets: [number, number, number][];
  /** Count rules' event times. */
  events: number[];
  ack: Ack | null;
  recent: Transition[];
  /** Transitions that fell out of `recent` (the store has them). */
  dropped: number;
}

export function newState(rule: string, device: DeviceId, t: number, group: string | null, convention: string | null): AlertState {
  return {
    rule, device, group, convention, status: "normal", since: t, activeSince: null, firedAt: null, resolvedAt: null, clearSince: null,
    active: false, value: null, lastDataAt: null, quietSince: t, liveness: null, reconnectedAt: null, awaitingData: false,
    samples: [], buckets: [], events: [], ack: null, recent: [], dropped: 0,
  };
}

export function record(state: AlertState, t: Transition): Transition {
  state.recent.push(t);
  if (state.recent.length > MAX_RECENT_TRANSITIONS) {
    state.recent.shift();
    state.dropped++;
  }
  return t;
}

/** Open: an operator may acknowledge it, and it is shown as an alert. */
export const isOpen = (s: AlertStatus) => s === "pending" || s === "firing" || s === "firing_no_data";
/** Firing as Alertmanager counts it (a firing alert with no data is still firing). */
export const isFiring = (s: AlertStatus) => s === "firing" || s === "firing_no_data";

const time = z.number().finite();
const nullableTime = time.nullable();
const value = z.union([z.number(), z.string(), z.null()]);
const status = z.enum(ALERT_STATUSES);
const transition = z.object({ rule: z.string(), device: z.string(), from: status, to: status, at: time, reason: z.string(), value });

export const alertStateSchema = z.object({
  rule: z.string().min(1),
  device: z.string().min(1),
  group: z.string().nullable(),
  convention: z.string().nullable(),
  status,
  since: time,
  activeSince: nullableTime,
  firedAt: nullableTime,
  resolvedAt: nullableTime,
  clearSince: nullableTime,
  active: z.boolean(),
  value,
  lastDataAt: nullableTime,
  quietSince: time,
  liveness: z.object({ status: z.enum(["online", "offline", "unknown"]), reason: z.string(), since: time }).nullable(),
  reconnectedAt: nullableTime,
  awaitingData: z.boolean(),
  samples: z.array(z.tuple([time, z.number()])).max(1000),
  buckets: z.array(z.tuple([time, z.number(), z.number()])).max(1000),
  events: z.array(time).max(10_000),
  ack: z.object({ by: z.string(), at: time, comment: z.string() }).nullable(),
  recent: z.array(transition).max(MAX_RECENT_TRANSITIONS),
  dropped: z.number().int().min(0),
});

/** Parsed JSON of a stored state, or the reason it cannot be taken back. */
export function parseState(json: unknown): { ok: true; state: AlertState } | { ok: false; reason: string } {
  const r = alertStateSchema.safeParse(json);
  if (r.success) return { ok: true, state: r.data as AlertState };
  return { ok: false, reason: r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ") };
}
