/**
 * An alert notification as an email: the subject and plain-text body of one grouped
 * notification, made from the same Alertmanager v4 payload the webhooks get (lib/alerts/webhook.ts),
 * so email is grouped, retried and logged like them. Labels and annotations come from topics and
 * payloads, which are untrusted: the body is plain text only (no HTML is ever built from them),
 * and control characters are taken out — from the subject all of them, so no value can add a
 * header line. Pure.
 */
import type { WebhookPayload } from "./webhook";

export const MAX_SUBJECT_LENGTH = 200;

export interface EmailMessage {
  subject: string;
  text: string;
}

/** Alertmanager's default subject: `[FIRING:2] <group label values>` or `[RESOLVED] …`. */
export function emailSubject(p: WebhookPayload): string {
  const firing = p.alerts.filter((a) => a.status === "firing").length;
  const head = p.status === "firing" ? `[FIRING:${firing}]` : "[RESOLVED]";
  const values = Object.keys(p.groupLabels)
    .sort()
    .map((k) => p.groupLabels[k]);
  return oneLine(`${head} ${values.join(" ")}`).slice(0, MAX_SUBJECT_LENGTH);
}

export function emailOf(p: WebhookPayload): EmailMessage {
  const firing = p.alerts.filter((a) => a.status === "firing");
  const resolved = p.alerts.filter((a) => a.status === "resolved");
  const lines: string[] = [];
  const counts = [firing.length ? `${firing.length} firing` : "", resolved.length ? `${resolved.length} resolved` : ""].filter(Boolean).join(", ");
  lines.push(`${counts}${p.truncatedAlerts ? ` (and ${p.truncatedAlerts} more not listed)` : ""}.`);
  for (const a of [...firing, ...resolved]) {
    const l = a.labels;
    lines.push("", `[${a.status.toUpperCase()}] ${l.alertname ?? l.rule ?? "alert"}${l.device ? ` on ${l.device}` : ""}${l.severity ? ` (${l.severity})` : ""}`);
    lines.push(`  since: ${a.startsAt}`);
    if (a.status === "resolved") lines.push(`  ended: ${a.endsAt}`);
    for (const [k, v] of Object.entries(a.annotations)) lines.push(`  ${k}: ${v}`);
    lines.push(`  labels: ${Object.entries(l).map(([k, v]) => `${k}=${v}`).join(", ")}`);
    if (a.generatorURL) lines.push(`  link: ${a.generatorURL}`);
  }
  lines.push("", `Fleetscope: ${p.externalURL}/alerts`);
  return { subject: emailSubject(p), text: lines.map(plain).join("\n") + "\n" };
}

// Tabs and newlines are text; every other C0/C1 control character (escapes a terminal or a mail
// client might act on) is not.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const plain = (s: string) => s.replace(CONTROL, "?");
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, " ").replace(CONTROL, "?");
