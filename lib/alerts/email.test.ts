import { describe, expect, it } from "vitest";
import { emailOf, emailSubject, MAX_SUBJECT_LENGTH } from "./email";
import { buildWebhookPayload } from "./webhook";
import type { NotifyAlert } from "./labels";

const alert = (over: Partial<NotifyAlert> = {}): NotifyAlert => ({
  status: "firing",
  labels: { alertname: "Hot motor", rule: "hot", device: "arm-01", severity: "major" },
  annotations: { summary: "temp above 80" },
  startsAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  endsAt: null,
  generatorURL: "http://fs.test/alerts?rule=hot",
  fingerprint: "f1",
  ...over,
});
const payload = (alerts: NotifyAlert[], groupLabels: Record<string, string> = { alertname: "Hot motor", device: "arm-01" }) =>
  buildWebhookPayload({ receiver: "fleetscope", groupLabels, externalURL: "http://fs.test", alerts });

describe("alert emails", () => {
  it("say firing with the count, or resolved, in the subject, as Alertmanager's default does", () => {
    expect(emailSubject(payload([alert(), alert({ fingerprint: "f2" })]))).toBe("[FIRING:2] Hot motor arm-01");
    expect(emailSubject(payload([alert({ status: "resolved", endsAt: Date.UTC(2026, 0, 2, 4) })]))).toBe("[RESOLVED] Hot motor arm-01");
  });

  it("list each alert with its device, severity, times, annotations and link in plain text", () => {
    const { text } = emailOf(payload([alert(), alert({ status: "resolved", fingerprint: "f2", labels: { alertname: "Hot motor", device: "arm-02" }, endsAt: Date.UTC(2026, 0, 2, 5) })]));
    expect(text).toContain("1 firing, 1 resolved.");
    expect(text).toContain("[FIRING] Hot motor on arm-01 (major)\n  since: 2026-01-02T03:04:05.000Z\n  summary: temp above 80");
    expect(text).toContain("[RESOLVED] Hot motor on arm-02\n  since: 2026-01-02T03:04:05.000Z\n  ended: 2026-01-02T05:00:00.000Z");
    expect(text).toContain("  link: http://fs.test/alerts?rule=hot");
    expect(text.indexOf("[FIRING]")).toBeLessThan(text.indexOf("[RESOLVED]"));
  });

  it("keep a device's hostile text as text: no header line in the subject, no control characters, markup left as it is", () => {
    const hostile = "arm\r\nBcc: evil@example.com\u001b[31m<b>x</b>";
    const p = payload([alert({ labels: { alertname: "Hot", device: hostile } })], { alertname: "Hot", device: hostile });
    const subject = emailSubject(p);
    expect(subject).not.toMatch(/[\r\n\u001b]/);
    expect(subject).toBe("[FIRING:1] Hot arm Bcc: evil@example.com?[31m<b>x</b>");
    const { text } = emailOf(p);
    expect(text).not.toContain("\u001b");
    expect(text).toContain("<b>x</b>");
    expect(emailSubject(payload([alert()], { alertname: "x".repeat(500) })).length).toBe(MAX_SUBJECT_LENGTH);
  });
});
