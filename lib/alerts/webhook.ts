/**
 * The body of a webhook notification in Alertmanager's webhook format, version 4, so receivers
 * written for Alertmanager (PagerDuty bridges, chat relays, custom handlers) take Fleetscope's
 * POSTs as they are:
 *
 *   { version: "4", groupKey, truncatedAlerts, status: "firing"|"resolved", receiver,
 *     groupLabels, commonLabels, commonAnnotations, externalURL,
 *     alerts: [{ status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint }] }
 *
 * Times are RFC 3339; a firing alert's endsAt is Go's zero time, as Alertmanager sends it. The
 * group is firing while any of its alerts is. Pure.
 */
import type { Labels, NotifyAlert } from "./labels";

/** What Alertmanager writes for "no end yet" (Go's zero time.Time). */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: WebhookAlert[];
}

export interface PayloadInput {
  receiver: string;
  groupLabels: Labels;
  externalURL: string;
  alerts: readonly NotifyAlert[];
  /** Alertmanager's max_alerts: 0 sends all; past it the rest are counted in truncatedAlerts. */
  maxAlerts?: number;
}

export function buildWebhookPayload(input: PayloadInput): WebhookPayload {
  // Firing first, then oldest first, then by fingerprint: the same group always reads the same.
  const sorted = [...input.alerts].sort((a, b) => (a.status === b.status ? 0 : a.status === "firing" ? -1 : 1) || a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
  const max = input.maxAlerts ?? 0;
  const sent = max > 0 ? sorted.slice(0, max) : sorted;
  return {
    version: "4",
    groupKey: groupKeyOf(input.groupLabels),
    truncatedAlerts: sorted.length - sent.length,
    status: sorted.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: input.receiver,
    groupLabels: input.groupLabels,
    // Over every alert of the group, truncated or not, as Alertmanager computes them.
    commonLabels: common(sorted.map((a) => a.labels)),
    commonAnnotations: common(sorted.map((a) => a.annotations)),
    externalURL: input.externalURL,
    alerts: sent.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: rfc3339(a.startsAt),
      endsAt: a.endsAt === null ? ZERO_TIME : rfc3339(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

/**
 * Alertmanager's group key for the root route: `{}:{name="value", …}` over the group labels,
 * sorted by name, values quoted as Go's %q does for the ordinary text labels hold.
 */
export function groupKeyOf(groupLabels: Labels): string {
  const pairs = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`);
  return `{}:{${pairs.join(", ")}}`;
}

/** The pairs every label set has with the same value. */
function common(sets: readonly Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();
