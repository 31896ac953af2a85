/**
 * Alerts as the browser lists them (GET /api/alerts): their shape, the state filters the page
 * offers, and the CSV export of what it shows. Pure; the text in them comes from devices and rule
 * authors, so cells are made safe for spreadsheets.
 */
import { csvCell } from "../text/csv";
import type { AlertStatus } from "./state";

export interface AlertItem {
  id: string;
  rule: string;
  ruleName: string;
  device: string;
  state: AlertStatus;
  severity: string;
  startedAt: number;
  endedAt: number | null;
  value: number | string | null;
  ack: { by: string; at: number; comment?: string } | null;
  silenced: boolean;
  transitions?: { from: AlertStatus; to: AlertStatus; at: number; reason: string; value: number | string | null }[];
}

/** The state filter's choices: the `state` query parameter of /api/alerts, or "all" for none. */
export const STATE_FILTERS = [
  { label: "active (pending and firing)", value: "pending,firing,firing_no_data" },
  { label: "firing", value: "firing,firing_no_data" },
  { label: "pending", value: "pending" },
  { label: "resolved", value: "resolved" },
  { label: "all", value: "all" },
] as const;

export const STATE_LABEL: Record<AlertStatus, string> = {
  normal: "normal",
  pending: "pending",
  firing: "firing",
  firing_no_data: "firing, no data",
  resolved: "resolved",
};

const iso = (t: number | null) => (t === null ? "" : new Date(t).toISOString());

export function alertsToCsv(alerts: readonly AlertItem[]): string {
  const head = ["started", "ended", "state", "severity", "rule", "device", "value", "acknowledged_by", "acknowledged_at", "ack_comment", "silenced", "id"];
  const rows = alerts.map((a) =>
    [iso(a.startedAt), iso(a.endedAt), a.state, a.severity, a.ruleName, a.device, a.value === null ? "" : String(a.value), a.ack?.by ?? "", a.ack ? iso(a.ack.at) : "", a.ack?.comment ?? "", a.silenced ? "yes" : "", a.id].map(csvCell).join(","),
  );
  return [head.join(","), ...rows].join("\r\n") + "\r\n";
}
