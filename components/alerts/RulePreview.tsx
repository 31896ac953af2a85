"use client";
import { STATE_LABEL } from "@/lib/alerts/alert-list";
import type { PreviewAnswer } from "@/lib/alerting/preview";
import s from "./alerts.module.css";

/** Transitions listed under the counts; the rest are counted. */
const SHOWN = 50;
const time = (t: number) => new Date(t).toLocaleString(undefined, { hour12: false });

export type PreviewState = { kind: "idle" } | { kind: "loading" } | { kind: "error"; message: string } | { kind: "done"; answer: PreviewAnswer };

/** What the rule in the form would have done over the last 24 h of stored data. */
export function RulePreview({ state }: { state: PreviewState }) {
  if (state.kind === "idle") return null;
  if (state.kind === "loading") return <p className="muted small" role="status">Previewing over the last 24 h of stored data…</p>;
  if (state.kind === "error")
    return (
      <p className="error small" role="alert">
        No preview: {state.message}
      </p>
    );
  const a = state.answer;
  const shown = a.transitions.slice(0, SHOWN);
  return (
    <section className={s.preview} aria-label="Rule preview" data-testid="rule-preview">
      {a.unsupported ? (
        <p className="muted small">Not previewed: {a.unsupported}.</p>
      ) : (
        <p className="small">
          Over {a.messages.toLocaleString()} stored messages since {time(a.from)}
          {a.partial ? " (the newest part of the last 24 h: the preview stops at its bounds)" : ""}: would have fired{" "}
          <strong data-testid="preview-fired">{a.counts.fired}</strong> {a.counts.fired === 1 ? "time" : "times"} on {a.counts.devices} {a.counts.devices === 1 ? "device" : "devices"}, {a.counts.transitions} transitions.
          {Object.entries(a.counts.open).map(([state, n]) => ` ${n} ${STATE_LABEL[state as keyof typeof STATE_LABEL]} now.`)}
        </p>
      )}
      {shown.length > 0 && (
        <ol className={s.transitions} aria-label="Preview transitions">
          {shown.map((t, i) => (
            <li key={i}>
              <span>{time(t.at)}</span>
              <span>{t.device}</span>
              <span>
                {STATE_LABEL[t.from]} → <span className={s[`state_${t.to}`]}>{STATE_LABEL[t.to]}</span>
              </span>
              {t.value !== null && <span>value {String(t.value)}</span>}
              <span className="muted">{t.reason}</span>
            </li>
          ))}
        </ol>
      )}
      {(a.transitions.length > shown.length || a.truncated) && <p className="muted small">…and {a.counts.transitions - shown.length} more transitions.</p>}
    </section>
  );
}
