"use client";
import { useCallback, useState } from "react";
import { useActor } from "../auth/ActorProvider";
import { useEvery } from "../commands/useEvery";
import { deleteAlertRule, listAlertRules } from "@/lib/api-client/alerts";
import { RuleForm } from "./RuleForm";
import s from "./alerts.module.css";

const POLL_MS = 10_000;

/** A rule as listed; a stored one that no longer parses has only its id and the `problem`. */
interface RuleItem {
  id: string;
  name?: string;
  kind?: string;
  severity?: string;
  problem?: string;
  field?: string;
  op?: "above" | "below";
  value?: number;
  clear?: number;
  forMs?: number;
  devices?: string[];
  group?: string;
  topic?: string;
  windowMs?: number;
  keepFiringForMs?: number;
  command?: string;
  outcomes?: string[];
}

/** What a rule watches and when it fires, in a line. */
function describe(r: RuleItem): string {
  const on = r.devices ? r.devices.join(", ") : r.group ? `group ${r.group}` : r.topic ? `topics ${r.topic}` : "every device";
  const after = r.forMs ? ` for ${r.forMs / 1000} s` : "";
  if (r.kind === "threshold") return `${r.field} ${r.op} ${r.value}${r.clear !== undefined ? ` (clears at ${r.clear})` : ""}${after}, on ${on}`;
  if (r.kind === "offline") return `offline${after}, on ${on}`;
  if (r.kind === "no_data") return `no data${r.field ? ` in ${r.field}` : ""}${after}, on ${on}`;
  const over = r.windowMs ? ` over ${r.windowMs / 1000} s` : "";
  if (r.kind === "rate") return `${r.field} changing ${r.op} ${r.value}/s${over}${after}, on ${on}`;
  if (r.kind === "loss") return `loss above ${r.value} %${over}${after}, on ${on}`;
  if (r.kind === "qos_stuck") return `${r.value}+ QoS flows ${r.outcomes?.join(" or ")}${over}${after}, on ${on}`;
  if (r.kind === "command_failed") return `${r.value}+ ${r.command ?? "command"} ${r.outcomes?.join(" or ")}${over}${after}, on ${on}`;
  return `${r.kind}, on ${on}`;
}

/** The alert rules; admins add them (RuleForm, with a preview) and delete them. */
export function RulesPanel() {
  const { can } = useActor();
  const [rules, setRules] = useState<RuleItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const load = useCallback(async (signal: AbortSignal) => {
    try {
      setRules((await listAlertRules(signal)).rules);
      setError(null);
    } catch (err) {
      if (!signal.aborted) setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEvery(load, POLL_MS);
  const remove = async (r: RuleItem) => {
    if (!window.confirm(`Delete the rule "${r.name}"? Its open alerts end.`)) return;
    try {
      await deleteAlertRule(r.id);
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
      {can.manageRules && <RuleForm onSaved={() => load(new AbortController().signal)} />}
      {said && (
        <p className="small error" role="alert">
          {said}
        </p>
      )}
    </section>
  );
}
