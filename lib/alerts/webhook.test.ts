import { describe, expect, it } from "vitest";
import { fingerprint, type NotifyAlert } from "./labels";
import { ZERO_TIME, buildWebhookPayload, groupKeyOf } from "./webhook";

function alert(device: string, status: "firing" | "resolved", startsAt: number, extra: Partial<NotifyAlert> = {}): NotifyAlert {
  const labels = { alertname: "Hot motor", rule: "hot", device, severity: "major", group: "lab" };
  return {
    fingerprint: fingerprint(labels), status, labels, annotations: { summary: `Hot motor on ${device}`, runbook_url: "https://wiki/motor" },
    startsAt, endsAt: status === "resolved" ? startsAt + 60_000 : null, generatorURL: `http://fs:3000/alerts?rule=hot&device=${device}`, ...extra,
  };
}

describe("buildWebhookPayload: Alertmanager's webhook v4", () => {
  const payload = buildWebhookPayload({
    receiver: "fleetscope", groupLabels: { alertname: "Hot motor" }, externalURL: "http://fs:3000",
    alerts: [alert("arm-02", "resolved", Date.UTC(2025, 0, 1, 10, 0)), alert("arm-01", "firing", Date.UTC(2025, 0, 1, 10, 5))],
  });

  it("has exactly the documented keys, at the top and per alert", () => {
    expect(Object.keys(payload).sort()).toEqual(["alerts", "commonAnnotations", "commonLabels", "externalURL", "groupKey", "groupLabels", "receiver", "status", "truncatedAlerts", "version"]);
    for (const a of payload.alerts) expect(Object.keys(a).sort()).toEqual(["annotations", "endsAt", "fingerprint", "generatorURL", "labels", "startsAt", "status"]);
    expect(payload.version).toBe("4");
  });

  it("is firing while any alert is, with firing alerts first", () => {
    expect(payload.status).toBe("firing");
    expect(payload.alerts.map((a) => `${a.labels.device}:${a.status}`)).toEqual(["arm-01:firing", "arm-02:resolved"]);
  });

  it("writes RFC 3339 times, and Go's zero time as a firing alert's end", () => {
    expect(payload.alerts[0]).toMatchObject({ startsAt: "2025-01-01T10:05:00.000Z", endsAt: ZERO_TIME });
    expect(payload.alerts[1]).toMatchObject({ startsAt: "2025-01-01T10:00:00.000Z", endsAt: "2025-01-01T10:01:00.000Z" });
    expect(ZERO_TIME).toBe("0001-01-01T00:00:00Z");
  });

  it("has the labels and annotations every alert shares as common", () => {
    expect(payload.commonLabels).toEqual({ alertname: "Hot motor", rule: "hot", severity: "major", group: "lab" });
    expect(payload.commonAnnotations).toEqual({ runbook_url: "https://wiki/motor" });
  });

  it("keys the group as Alertmanager's root route does", () => {
    expect(payload.groupKey).toBe('{}:{alertname="Hot motor"}');
    expect(groupKeyOf({ device: "arm-01", alertname: "Hot motor" })).toBe('{}:{alertname="Hot motor", device="arm-01"}');
    expect(groupKeyOf({ note: 'say "hi"' })).toBe('{}:{note="say \\"hi\\""}');
  });

  it("is resolved when every alert is", () => {
    const p = buildWebhookPayload({ receiver: "r", groupLabels: {}, externalURL: "", alerts: [alert("arm-01", "resolved", 0)] });
    expect(p.status).toBe("resolved");
  });

  it("cuts at maxAlerts and says how many it left out, never silently", () => {
    const alerts = Array.from({ length: 5 }, (_, i) => alert(`arm-0${i}`, "firing", i));
    const p = buildWebhookPayload({ receiver: "r", groupLabels: {}, externalURL: "", alerts, maxAlerts: 2 });
    expect(p.alerts.map((a) => a.labels.device)).toEqual(["arm-00", "arm-01"]);
    expect(p.truncatedAlerts).toBe(3);
    expect(p.commonLabels.device).toBeUndefined();
  });

  it("reads the same for the same alerts in any order", () => {
    const a = [alert("arm-01", "firing", 5), alert("arm-02", "firing", 5), alert("arm-03", "resolved", 1)];
    const p1 = buildWebhookPayload({ receiver: "r", groupLabels: {}, externalURL: "", alerts: a });
    const p2 = buildWebhookPayload({ receiver: "r", groupLabels: {}, externalURL: "", alerts: [...a].reverse() });
    expect(JSON.stringify(p1)).toBe(JSON.stringify(p2));
  });
});
