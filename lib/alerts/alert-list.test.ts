import { describe, expect, it } from "vitest";
import { alertsToCsv, type AlertItem } from "./alert-list";

const alert = (over: Partial<AlertItem> = {}): AlertItem => ({
  id: "ep-1",
  rule: "r1",
  ruleName: "arm too hot",
  device: "arm-01",
  state: "firing",
  severity: "major",
  startedAt: Date.UTC(2026, 11, 4, 1, 2, 3),
  endedAt: null,
  value: 81.5,
  ack: null,
  silenced: false,
  ...over,
});

describe("alerts as CSV", () => {
  it("writes a row per alert under a header, times in ISO 8601", () => {
    const csv = alertsToCsv([alert(), alert({ id: "ep-2", state: "resolved", endedAt: Date.UTC(2026, 11, 4, 1, 5), ack: { by: "ada", at: Date.UTC(2026, 11, 4, 1, 3), comment: "on it, see ticket" }, silenced: true })]);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("started,ended,state,severity,rule,device,value,acknowledged_by,acknowledged_at,ack_comment,silenced,id");
    expect(lines[1]).toBe("2026-12-04T01:02:03.000Z,,firing,major,arm too hot,arm-01,81.5,,,,,ep-1");
    expect(lines[2]).toBe('2026-12-04T01:02:03.000Z,2026-12-04T01:05:00.000Z,resolved,major,arm too hot,arm-01,81.5,ada,2026-12-04T01:03:00.000Z,"on it, see ticket",yes,ep-2');
  });

  it("makes device and rule text safe for spreadsheets", () => {
    const csv = alertsToCsv([alert({ device: "=HYPERLINK(\"x\")", ruleName: "+1 rule", value: "-3" })]);
    expect(csv.split("\r\n")[1]).toContain(`'+1 rule,"'=HYPERLINK(""x"")",'-3`);
  });
});
