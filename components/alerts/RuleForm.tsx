"use client";
import { useState } from "react";
import { RULE_KINDS, SEVERITIES, type RuleKind } from "@/lib/alerts/rule";
import { emptyRuleForm, KIND_FIELDS, KIND_LABELS, KIND_OUTCOMES, ruleBodyOf, type RuleFormFields } from "@/lib/alerts/rule-form";
import { addAlertRule, previewAlertRule } from "@/lib/api-client/alerts";
import { RulePreview, type PreviewState } from "./RulePreview";
import s from "./alerts.module.css";

/** What the value means for each kind that takes one. */
const VALUE_LABEL: Partial<Record<RuleKind, string>> = { threshold: "value", rate: "per second", loss: "loss %", qos_stuck: "count", command_failed: "count" };
const FOR_LABEL: Partial<Record<RuleKind, string>> = { no_data: "silent for (s)", offline: "offline for (s)" };

/**
 * A new rule, every kind with the fields it takes; "Preview" shows what it would have done over
 * the last 24 h of stored data before "Add rule" saves it. The server validates: its message
 * (naming the field) is shown as it is.
 */
export function RuleForm({ onSaved }: { onSaved: (name: string) => Promise<void> }) {
  const [form, setForm] = useState<RuleFormFields>(emptyRuleForm);
  const [said, setSaid] = useState<{ text: string; error: boolean } | null>(null);
  const [preview, setPreview] = useState<PreviewState>({ kind: "idle" });
  const asks = new Set(KIND_FIELDS[form.kind]);
  const change = (f: Partial<RuleFormFields>) => {
    setForm((old) => ({ ...old, ...f }));
    // A preview is of the rule as it was when asked for.
    setPreview({ kind: "idle" });
  };
  const set = (k: keyof RuleFormFields) => (e: { target: { value: string } }) => change({ [k]: e.target.value });

  const runPreview = async () => {
    setPreview({ kind: "loading" });
    try {
      setPreview({ kind: "done", answer: await previewAlertRule(ruleBodyOf(form)) });
    } catch (err) {
      setPreview({ kind: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };
  const save = async () => {
    setSaid(null);
    const name = form.name.trim();
    try {
      await addAlertRule(ruleBodyOf(form));
      setSaid({ text: `rule "${name}" saved`, error: false });
      setForm((f) => ({ ...f, name: "", value: "", clear: "" }));
      setPreview({ kind: "idle" });
      await onSaved(name);
    } catch (err) {
      setSaid({ text: `not saved: ${err instanceof Error ? err.message : String(err)}`, error: true });
    }
  };

  return (
    <>
      <form
        className={s.form}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        aria-label="New rule"
      >
        <label>
          kind
          <select value={form.kind} onChange={(e) => change({ kind: e.target.value as RuleKind, outcomes: [] })} aria-label="Kind">
            {RULE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          name
          <input value={form.name} onChange={set("name")} required maxLength={100} aria-label="Name" style={{ width: "12rem" }} />
        </label>
        {asks.has("field") && (
          <label>
            field{form.kind === "no_data" ? " (blank: any)" : ""}
            <input value={form.field} onChange={set("field")} required={form.kind !== "no_data"} aria-label="Field" />
          </label>
        )}
        {asks.has("command") && (
          <label>
            command (blank: any)
            <input value={form.command} onChange={set("command")} aria-label="Command" />
          </label>
        )}
        {asks.has("op") && (
          <label>
            when
            <select value={form.op} onChange={set("op")} aria-label="When">
              <option value="above">above</option>
              <option value="below">below</option>
            </select>
          </label>
        )}
        {asks.has("value") && (
          <label>
            {VALUE_LABEL[form.kind]}
            <input value={form.value} onChange={set("value")} required={form.kind !== "qos_stuck" && form.kind !== "command_failed"} inputMode="decimal" aria-label="Value" style={{ width: "5rem" }} />
          </label>
        )}
        {asks.has("clear") && (
          <label title="Where the alert ends: on the other side of the value, so a value near it does not flap">
            clears at
            <input value={form.clear} onChange={set("clear")} inputMode="decimal" aria-label="Clears at" style={{ width: "5rem" }} />
          </label>
        )}
        {asks.has("windowS") && (
          <label>
            window (s)
            <input value={form.windowS} onChange={set("windowS")} inputMode="numeric" aria-label="Window seconds" style={{ width: "4rem" }} />
          </label>
        )}
        {asks.has("outcomes") && (
          <fieldset className={s.checks}>
            <legend>on</legend>
            {KIND_OUTCOMES[form.kind]!.map((o) => (
              <label key={o.value}>
                <input
                  type="checkbox"
                  checked={form.outcomes.includes(o.value)}
                  onChange={(e) => change({ outcomes: e.target.checked ? [...form.outcomes, o.value] : form.outcomes.filter((x) => x !== o.value) })}
                />
                {o.label}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {FOR_LABEL[form.kind] ?? "for (s)"}
          <input value={form.forS} onChange={set("forS")} inputMode="numeric" required={form.kind === "no_data"} aria-label="For seconds" style={{ width: "4rem" }} />
        </label>
        <label title="How long it keeps firing after its condition ends">
          keep firing (s)
          <input value={form.keepFiringForS} onChange={set("keepFiringForS")} inputMode="numeric" aria-label="Keep firing seconds" style={{ width: "4rem" }} />
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
        <label>
          group
          <input value={form.group} onChange={set("group")} placeholder="plant-a" aria-label="Group" />
        </label>
        <label>
          topic filter
          <input value={form.topic} onChange={set("topic")} placeholder="fleet/+/+/telemetry" aria-label="Topic filter" />
        </label>
        <button type="button" className={s.button} onClick={() => void runPreview()} disabled={preview.kind === "loading"}>
          Preview (24 h)
        </button>
        <button type="submit" className={s.primary}>
          Add rule
        </button>
      </form>
      <RulePreview state={preview} />
      {said && (
        <p className={`small${said.error ? " error" : ""}`} role={said.error ? "alert" : "status"}>
          {said.text}
        </p>
      )}
    </>
  );
}
