"use client";
import { useCallback, useState } from "react";
import { STATE_LABEL, type AlertItem } from "@/lib/alerts/alert-list";
import { useActor } from "../auth/ActorProvider";
import { useEvery } from "../commands/useEvery";
import { acknowledgeAlert, addSilence, getAlert } from "@/lib/api-client/alerts";
import s from "./alerts.module.css";

const POLL_MS = 3000;
const SILENCE_CHOICES = [
  { label: "1 hour", ms: 3600_000 },
  { label: "4 hours", ms: 4 * 3600_000 },
  { label: "1 day", ms: 24 * 3600_000 },
];
const time = (t: number) => new Date(t).toLocaleString(undefined, { hour12: false });

/**
 * One alert: every transition with its reason and the value that caused it, who acknowledged it;
 * operators acknowledge it (a flag with a comment, not a state) or silence its rule on its device.
 */
export function AlertDetail({ id, onChanged }: { id: string; onChanged(): void }) {
  const { can } = useActor();
  const [alert, setAlert] = useState<AlertItem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [silenceMs, setSilenceMs] = useState(SILENCE_CHOICES[0]!.ms);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);

  const load = useCallback(
    async (signal: AbortSignal) => {
      try {
        setAlert(await getAlert(id, signal));
        setError(null);
      } catch (err) {
        if (!signal.aborted) setError(err instanceof Error ? err.message : String(err));
      }
    },
    [id],
  );
  useEvery(load, POLL_MS);

  const act = async (what: string, run: () => Promise<unknown>) => {
    setBusy(true);
    setSaid(null);
    try {
      await run();
      setSaid(what);
      setComment("");
      onChanged();
      await load(new AbortController().signal);
    } catch (err) {
      setSaid(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const acknowledge = () => act("acknowledged", () => acknowledgeAlert(id, comment.trim() ? { comment: comment.trim() } : {}));
  const silence = () =>
    act("silenced", () =>
      addSilence({
        matchers: [
          { name: "rule", value: alert!.rule, op: "=" },
          { name: "device", value: alert!.device, op: "=" },
        ],
        // Starts when the server receives it; the end by this clock is close enough for hours.
        endsAt: Date.now() + silenceMs,
        comment: comment.trim() || `silenced from /alerts`,
      }),
    );

  return (
    <section className={s.panel} aria-label="Alert">
      {error && (
        <p className="error small" role="alert">
          Could not load the alert: {error}
        </p>
      )}
      {!alert && !error && <p className="muted small">loading…</p>}
      {alert && (
        <>
          <h2>
            {alert.ruleName} on {alert.device}: <span className={s[`state_${alert.state}`]}>{STATE_LABEL[alert.state]}</span>
            {alert.silenced ? " (silenced)" : ""}
          </h2>
          <p className="small">
            {alert.severity} · since {time(alert.startedAt)}
            {alert.endedAt !== null ? ` · ended ${time(alert.endedAt)}` : ""}
            {alert.ack ? ` · acknowledged by ${alert.ack.by} at ${time(alert.ack.at)}${alert.ack.comment ? `: ${alert.ack.comment}` : ""}` : ""}
          </p>
          <ul className={s.transitions} aria-label="Transitions">
            {(alert.transitions ?? []).map((t, i) => (
              <li key={i}>
                <time>{time(t.at)}</time>
                <span>
                  {STATE_LABEL[t.from]} → <strong>{STATE_LABEL[t.to]}</strong>
                </span>
                <span className="muted">{t.reason}</span>
                {t.value !== null && <code>{String(t.value)}</code>}
              </li>
            ))}
          </ul>
          {can.acknowledge && alert.endedAt === null && (
            <div className={s.form} style={{ marginTop: "0.6rem" }}>
              <label>
                comment
                <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} style={{ width: "18rem" }} aria-label="Comment" />
              </label>
              <button type="button" className={s.primary} onClick={acknowledge} disabled={busy || alert.ack !== null}>
                {alert.ack ? "Acknowledged" : "Acknowledge"}
              </button>
              <label>
                silence for
                <select value={silenceMs} onChange={(e) => setSilenceMs(Number(e.target.value))} aria-label="Silence for">
                  {SILENCE_CHOICES.map((c) => (
                    <option key={c.ms} value={c.ms}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className={s.button} onClick={silence} disabled={busy}>
                Silence this rule on {alert.device}
              </button>
            </div>
          )}
          {said && (
            <p className="small" role="status">
              {said}
            </p>
          )}
        </>
      )}
    </section>
  );
}
