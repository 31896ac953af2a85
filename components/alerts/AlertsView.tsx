"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { alertsToCsv, STATE_FILTERS, STATE_LABEL, type AlertItem } from "@/lib/alerts/alert-list";
import { useEvery } from "../commands/useEvery";
import { listAlerts } from "@/lib/api-client/alerts";
import { AlertDetail } from "./AlertDetail";
import { RulesPanel } from "./RulesPanel";
import s from "./alerts.module.css";

const POLL_MS = 3000;
const PAGE = 200;
const time = (t: number | null) => (t === null ? "" : new Date(t).toLocaleString(undefined, { hour12: false }));

/**
 * `/alerts`: the alerts firing, pending and silenced, and their history, filtered by state and
 * device (kept in the URL, so a view can be linked), with a CSV of what is shown; a selected alert
 * shows its transitions, and operators acknowledge it or silence its device there.
 */
export function AlertsView() {
  const router = useRouter();
  const search = useSearchParams();
  const state = search.get("state") ?? STATE_FILTERS[0].value;
  const device = search.get("device") ?? "";
  const selected = search.get("alert");
  const [alerts, setAlerts] = useState<AlertItem[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const setQuery = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    router.replace(`/alerts${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  const load = useCallback(
    async (signal: AbortSignal) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (state !== "all") q.set("state", state);
      if (device.trim()) q.set("device", device.trim());
      try {
        const body = await listAlerts(q, signal);
        setAlerts(body.alerts);
        setMore(body.next !== null);
        setError(null);
      } catch (err) {
        if (!signal.aborted) setError(err instanceof Error ? err.message : String(err));
      }
    },
    [state, device],
  );
  useEvery(load, POLL_MS);

  const download = () => {
    if (!alerts) return;
    const url = URL.createObjectURL(new Blob([alertsToCsv(alerts)], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `alerts-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div>
      <h1>Alerts</h1>
      <div className={s.filters}>
        <label>
          state
          <select value={state} onChange={(e) => setQuery({ state: e.target.value === STATE_FILTERS[0].value ? null : e.target.value, alert: null })} aria-label="State">
            {STATE_FILTERS.map((f) => (
              <option key={f.label} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          device
          <input defaultValue={device} placeholder="arm-01" aria-label="Device" onKeyDown={(e) => e.key === "Enter" && setQuery({ device: e.currentTarget.value })} onBlur={(e) => e.currentTarget.value !== device && setQuery({ device: e.currentTarget.value })} />
        </label>
        <button type="button" className={s.button} onClick={download} disabled={!alerts || alerts.length === 0}>
          Export CSV
        </button>
        <span className="small muted" role="status">
          {error ? "" : alerts === null ? "loading…" : `${alerts.length}${more ? "+" : ""} alert${alerts.length === 1 ? "" : "s"}`}
        </span>
      </div>
      {error && (
        <p className="error small" role="alert">
          Could not load the alerts: {error}
        </p>
      )}
      {alerts && alerts.length === 0 && !error && (
        <p className="muted">
          {state === STATE_FILTERS[0].value ? "Nothing is firing or pending." : "No alert matches these filters."} Rules below say what raises one.
        </p>
      )}
      {alerts && alerts.length > 0 && (
        <table className={s.table} aria-label="Alerts">
          <thead>
            <tr>
              <th>started</th>
              <th>state</th>
              <th>severity</th>
              <th>rule</th>
              <th>device</th>
              <th>value</th>
              <th>ack</th>
              <th>ended</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr
                key={a.id}
                aria-selected={a.id === selected}
                tabIndex={0}
                data-testid="alert-row"
                data-state={a.state}
                onClick={() => setQuery({ alert: a.id })}
                onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), setQuery({ alert: a.id }))}
              >
                <td>{time(a.startedAt)}</td>
                <td className={s[`state_${a.state}`]}>
                  {STATE_LABEL[a.state]}
                  {a.silenced ? " (silenced)" : ""}
                </td>
                <td className={s[`sev_${a.severity}`]}>{a.severity}</td>
                <td>{a.ruleName}</td>
                <td>
                  <Link href={`/devices/${encodeURIComponent(a.device)}`} onClick={(e) => e.stopPropagation()}>
                    {a.device}
                  </Link>
                </td>
                <td>{a.value === null ? "" : String(a.value)}</td>
                <td>{a.ack ? `✓ ${a.ack.by}` : ""}</td>
                <td>{time(a.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <AlertDetail id={selected} onChanged={() => void load(new AbortController().signal)} />}
      <RulesPanel />
    </div>
  );
}
