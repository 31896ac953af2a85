/** A chart's visible points as files an operator can take elsewhere. Pure. */
import { csvCell as cell } from "../text/csv";
import type { ChartPoint } from "../state/history-merge";

export function toCsv(device: string, field: string, points: readonly ChartPoint[]): string {
  const rows = ["time,epoch_ms,device,field,value,min,max"];
  for (const p of points) {
    rows.push([new Date(p.t).toISOString(), String(p.t), cell(device), cell(field), String(p.v), p.band ? String(p.band[0]) : "", p.band ? String(p.band[1]) : ""].join(","));
  }
  return rows.join("\r\n") + "\r\n";
}

export function toJson(device: string, field: string, points: readonly ChartPoint[]): string {
  return JSON.stringify({ device, field, points: points.map((p) => ({ t: p.t, value: p.v, ...(p.band ? { min: p.band[0], max: p.band[1] } : {}) })) }, null, 2);
}

/** A file name safe on every OS, from untrusted device and field names. */
export function exportName(device: string, field: string, ext: "csv" | "json"): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^\.+/, "").slice(0, 64);
  return `${safe(device)}-${safe(field)}.${ext}`;
}
