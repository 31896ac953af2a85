/**
 * An alert as the outside sees it: its labels (what silences match and notifications group on),
 * its annotations (what a person reads), and its fingerprint, computed as Prometheus computes a
 * label set's (FNV-1a 64 over the sorted names and values, each followed by byte 255), so an
 * Alertmanager-shaped receiver that dedupes by fingerprint sees the same alert as the same one.
 * Pure.
 */
import { describeValue } from "./condition";
import { formatDuration } from "./duration";
import type { AlertRule } from "./rule";
import { describeSelector } from "./selector";
import type { AlertState } from "./state";

export type Labels = Record<string, string>;

/** One alert for a notification: firing, or resolved (endsAt set). */
export interface NotifyAlert {
  fingerprint: string;
  status: "firing" | "resolved";
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  /** Null while firing. */
  endsAt: number | null;
  generatorURL: string;
}

/** The labels of `rule` on the state's device; the rule's own labels cannot shadow these (rule.ts refuses them). */
export function alertLabels(rule: AlertRule, s: Pick<AlertState, "device" | "group" | "convention">): Labels {
  const labels: Labels = { ...rule.labels, alertname: rule.name, rule: rule.id, device: s.device, severity: rule.severity, kind: rule.kind };
  const field = "field" in rule ? rule.field : undefined;
  if (field !== undefined) labels.field = field;
  if (s.group !== null) labels.group = s.group;
  if (s.convention !== null) labels.convention = s.convention;
  return labels;
}

/** The rule's annotations, with a summary when it gave none, and the state's value and latest reason. */
export function alertAnnotations(rule: AlertRule, s: AlertState): Labels {
  const reason = s.recent.at(-1)?.reason ?? "";
  const out: Labels = { ...rule.annotations };
  out.summary ??= `${rule.name} on ${s.device}: ${reason}`;
  out.description ??= `${rule.kind.replace("_", " ")} rule on ${describeSelector(rule)}${"forMs" in rule && rule.forMs > 0 ? `, for ${formatDuration(rule.forMs)}` : ""}`;
  out.reason = reason;
  out.value = describeValue(rule, s);
  // Still "firing" to Alertmanager; this says its data stopped.
  out.state = s.status;
  return out;
}

/** The alert to notify for a state, or null when it is neither firing nor resolved. */
export function notifyAlert(rule: AlertRule, s: AlertState, externalURL: string): NotifyAlert | null {
  const firing = s.status === "firing" || s.status === "firing_no_data";
  if ((!firing && s.status !== "resolved") || s.firedAt === null) return null;
  const labels = alertLabels(rule, s);
  const base = externalURL.replace(/\/+$/, "");
  return {
    fingerprint: fingerprint(labels),
    status: firing ? "firing" : "resolved",
    labels,
    annotations: alertAnnotations(rule, s),
    startsAt: s.firedAt,
    endsAt: firing ? null : s.resolvedAt,
    generatorURL: `${base}/alerts?rule=${encodeURIComponent(rule.id)}&device=${encodeURIComponent(s.device)}`,
  };
}

const OFFSET64 = 14695981039346656037n;
const PRIME64 = 1099511628211n;
const MASK64 = (1n << 64n) - 1n;
const SEPARATOR = 255;
const utf8 = new TextEncoder();

/** Prometheus' LabelSet fingerprint as 16 hex digits. */
export function fingerprint(labels: Labels): string {
  let h = OFFSET64;
  const add = (b: number) => {
    h = ((h ^ BigInt(b)) * PRIME64) & MASK64;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const b of utf8.encode(name)) add(b);
    add(SEPARATOR);
    for (const b of utf8.encode(labels[name]!)) add(b);
    add(SEPARATOR);
  }
  return h.toString(16).padStart(16, "0");
}
