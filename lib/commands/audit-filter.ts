/**
 * The audit log's filters, as the /commands page keeps them in its URL and asks the API for them.
 * Pure: a pasted URL with nonsense in it gives a filter the API accepts.
 */
import { COMMAND_STATES, type CommandState } from "./lifecycle";

export interface AuditFilter {
  device: string;
  name: string;
  state: CommandState | "";
  actor: string;
  /** Epoch ms, or null for open-ended. */
  from: number | null;
  to: number | null;
}

export const EMPTY_FILTER: AuditFilter = { device: "", name: "", state: "", actor: "", from: null, to: null };

/** The latest time a Date can hold [ECMA-262 21.4.1.1]. */
const MAX_DATE_MS = 8.64e15;
const epoch = (s: string | null) => (s && /^\d{1,16}$/.test(s) && Number(s) <= MAX_DATE_MS ? Number(s) : null);

export function parseAuditFilter(params: { get(name: string): string | null }): AuditFilter {
  const state = params.get("state") ?? "";
  return {
    device: params.get("device")?.trim() ?? "",
    name: params.get("name")?.trim() ?? "",
    state: (COMMAND_STATES as readonly string[]).includes(state) ? (state as CommandState) : "",
    actor: params.get("actor")?.trim() ?? "",
    from: epoch(params.get("from")),
    to: epoch(params.get("to")),
  };
}

/** The filter's query string: only what is set, in a fixed order (the page URL and the API call alike). */
export function auditQuery(f: AuditFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ["device", "name", "state", "actor"] as const) if (f[k]) q.set(k, f[k]);
  if (f.from !== null) q.set("from", String(f.from));
  if (f.to !== null) q.set("to", String(f.to));
  return q;
}

/** `<input type="datetime-local">` text (local time) ⇄ epoch ms. */
export function fromLocalInput(text: string): number | null {
  if (!text) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

export function toLocalInput(ms: number | null): string {
  if (ms === null) return "";
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
