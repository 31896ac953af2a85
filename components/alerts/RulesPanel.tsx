"use client";
import { useCallback, useState } from "react";
import { SEVERITIES } from "@/lib/alerts/rule";
import { useActor } from "../auth/ActorProvider";
import { useEvery } from "../commands/useEvery";
import { alertApi } from "./alerts-api";
import s from "./alerts.module.css";

const POLL_MS = 10_000;

interface RuleItem {
  id: string;
  name: string;
  kind: string;
  severity: string;
  field?: string;
  op?: "above" | "below";
  value?: number;
  clear?: number;
  forMs?: number;
  devices?: string[];
  group?: string;
  topic?: string;
}

type Kind = "threshold" | "offline" | "no_data";

/** What a rule watches and when it fires, in a line. */
function describe(r: RuleItem): string {
  const on = r.devices ? r.devices.join(", ") : r.group ? `group ${r.group}` : r.topic ? `topics ${r.topic}` : "every device";
  const after = r.forMs ? ` for ${r.forMs / 1000} s` : "";
  if (r.kind === "threshold") return `${r.field} ${r.op} ${r.value}${r.clear !== undefined ? ` (clears at ${r.clear})` : ""}${after}, on ${on}`;
  if (r.kind === "offline") return `offline${after}, on ${on}`;
  if (r.kind === "no_data") return `no data${r.field ? ` in ${r.field}` : ""}${after}, on ${on}`;
  return `${r.kind}, on ${on}`;
}

/** The alert rules; admins add (threshold with hysteresis, offline, no data) and delete them. */
export function RulesPanel() {
  const { can } = useActor();
  const [rules, setRules] = useState<RuleItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [form, setForm] = useState({ kind: "threshold" as Kind, name: "", field: "temp", op: "above" as "above" | "below", value: "", clear: "", forS: "10", severity: "major", devices: "" });
  const load = useCallback(async (signal: AbortSignal) => {
    try {
      setRules((await alertApi<{ rules: RuleItem[] }>("/api/alert-rules", { method: "GET", signal })).rules);
      setError(null);
    } catch (err) {
      if (!signal.aborted) setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEvery(load, POLL_MS);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const create = async () => {
    setSaid(null);
    const devices = form.devices.split(",").map((d) => d.trim()).filter((d) => d !== "");
    const body: Record<string, unknown> = { kind: form.kind, name: form.name.trim(), severity: form.severity, forMs: `${Number(form.forS) || 0}s` };
    if (devices.length > 0) body.devices = devices;
    if (form.kind === "threshold") Object.assign(body, { field: form.field.trim(), op: form.op, value: form.value, ...(form.clear.trim() ? { clear: form.clear } : {}) });
    try {
      await alertApi("/api/alert-rules", { method: "POST", body });
      setSaid(`rule "${form.name.trim()}" saved`);
      setForm((f) => ({ ...f, name: "", value: "", clear: "" }));
      await load(new AbortController().signal);
    } catch (err) {
      setSaid(`not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const remove = async (r: RuleItem) => {
    if (!window.confirm(`Delete the rule "${r.name}"? Its open alerts end.`)) return;
    try {
      await alertApi(`/api/alert-rules/${encodeURIComponent(r.id)}`, { method: "DELETE" });
      await load(new AbortController().signal);
    } catch (err) {
      setSaid(`not deleted: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <section className={s.panel} aria-label="Alert rules">
      <h2>Rules</h2>
      {error && (
        <p className="error small" role="alert">
          Could not load the rules: {error}
        </p>
      )}
      {rules && rules.length === 0 && <p className="muted small">No rules yet{can.manageRules ? ": add one below." : "; an admin adds them."}</p>}
      {rules && rules.length > 0 && (
        <ul className="small" aria-label="Rules">
          {rules.map((r) => (
            <li key={r.id} data-testid="alert-rule">
              <strong>{r.name}</strong> <span className={s[`sev_${r.severity}`]}>{r.severity}</span>: {describe(r)}{" "}
              {can.manageRules && (
                <button type="button" className={s.button} onClick={() => void remove(r)} aria-label={`Delete ${r.name}`}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {can.manageRules && (
        <form
          className={s.form}
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
          aria-label="New rule"
        >
          <label>
            kind
            <select value={form.kind} onChange={set("kind")} aria-label="Kind">
              <option value="threshold">threshold</option>
              <option value="offline">offline</option>
              <option value="no_data">no data</option>
            </select>
          </label>
          <label>
            name
            <input value={form.name} onChange={set("name")} required maxLength={100} aria-label="Name" style={{ width: "12rem" }} />
          </label>
          {form.kind === "threshold" && (
            <>
              <label>
                field
                <input value={form.field} onChange={set("field")} required aria-label="Field" />
              </label>
              <label>
                when
                <select value={form.op} onChange={set("op")} aria-label="When">
                  <option value="above">above</option>
                  <option value="below">below</option>
                </select>
              </label>
              <label>
                value
                <input value={form.value} onChange={set("value")} required inputMode="decimal" aria-label="Value" style={{ width: "5rem" }} />
              </label>
              <label title="Where the alert ends: on the other side of the value, so a value near it does not flap">
                clears at
                <input value={form.clear} onChange={set("clear")} inputMode="decimal" aria-label="Clears at" style={{ width: "5rem" }} />
              </label>
            </>
          )}
          <label>
            for (s)
            <input value={form.forS} onChange={set("forS")} inputMode="numeric" aria-label="For seconds" style={{ width: "4rem" }} />
          </label>
          <label>
            severity
            <select value={form.severity} onChange={set("severity")} aria-label="Severity">
              {SEVERITIES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            devices (blank: all)
            <input value={form.devices} onChange={set("devices")} placeholder="arm-01, arm-02" aria-label="Devices" style={{ width: "12rem" }} />
          </label>
          <button type="submit" className={s.primary}>
            Add rule
          </button>
        </form>
      )}
      {said && (
        <p className="small" role="status">
          {said}
        </p>
      )}
    </section>
  );
}
