/**
 * What the overview cards and device charts draw of the alerts: the threshold lines of the
 * threshold rules that watch a device's field (value, and the clear value when it differs), and
 * the spells an alert fired within the shown window (from its transitions). Read from the
 * rules and alerts the API lists, at a low rate, never per message. Pure.
 */
import type { AlertItem } from "./alert-list";
import { selects } from "./selector";
import { SEVERITIES, type AlertRule } from "./rule";
import { isFiring, type AlertStatus } from "./state";
import { asDeviceId } from "../devices/model";

/** A rule as GET /api/alert-rules lists it: the rule, or a stored one that did not parse. */
export type ListedRule = Pick<AlertRule, "id" | "name" | "kind" | "severity"> & Partial<Pick<Extract<AlertRule, { kind: "threshold" }>, "field" | "op" | "value" | "clear" | "devices" | "group" | "convention" | "topic">>;

export interface ThresholdLine {
  rule: string;
  name: string;
  severity: string;
  op: "above" | "below";
  value: number;
  /** Null when the rule clears where it fires. */
  clear: number | null;
}

export interface FiringBand {
  alert: string;
  from: number;
  to: number;
  severity: string;
}

export interface OverlayDevice {
  id: string;
  group?: string | null;
  convention?: string | null;
}

/**
 * The threshold rules on this field that select this device. A rule that selects by topic alone
 * cannot be told from the device: it is drawn once it has an alert on the device.
 */
export function thresholdLines(rules: readonly ListedRule[], device: OverlayDevice, field: string, alerted: ReadonlySet<string> = new Set()): ThresholdLine[] {
  const out: ThresholdLine[] = [];
  for (const r of rules) {
    if (r.kind !== "threshold" || r.field !== field || typeof r.value !== "number" || !r.op) continue;
    const s = selects(r as AlertRule, { id: asDeviceId(device.id), group: device.group, convention: device.convention });
    if (s === "no" || (s === "unknown" && !alerted.has(r.id))) continue;
    out.push({ rule: r.id, name: r.name, severity: r.severity, op: r.op, value: r.value, clear: r.clear !== undefined && r.clear !== r.value ? r.clear : null });
  }
  return out;
}

/** Each spell the device's alerts spent firing (with or without data) that overlaps [from, to], clipped to it. */
export function firingBands(alerts: readonly AlertItem[], device: string, from: number, to: number, now: number): FiringBand[] {
  const out: FiringBand[] = [];
  for (const a of alerts) {
    if (a.device !== device || !a.transitions) continue;
    const steps = [...a.transitions].sort((x, y) => x.at - y.at);
    let since: number | null = null;
    const close = (end: number) => {
      if (since !== null && end > from && since < to) out.push({ alert: a.id, from: Math.max(since, from), to: Math.min(end, to), severity: a.severity });
      since = null;
    };
    for (const t of steps) {
      if (isFiring(t.to as AlertStatus)) since ??= t.at;
      else close(t.at);
    }
    // Still firing: up to now (or the episode's end when its later transitions were not listed).
    close(a.endedAt ?? now);
  }
  return out;
}

/** The open firing alert of the device to show (and acknowledge) on its card: the most severe, then the oldest. */
export function cardAlert(alerts: readonly AlertItem[], device: string): AlertItem | null {
  const order: readonly string[] = SEVERITIES;
  let best: AlertItem | null = null;
  for (const a of alerts) {
    if (a.device !== device || !isFiring(a.state)) continue;
    if (!best || order.indexOf(a.severity) < order.indexOf(best.severity) || (a.severity === best.severity && a.startedAt < best.startedAt)) best = a;
  }
  return best;
}
