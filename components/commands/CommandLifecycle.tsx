"use client";
import Link from "next/link";
import { isFinal, reachedAt, type Command, type CommandState } from "@/lib/commands/lifecycle";
import styles from "./commands.module.css";
import { counted } from "@/lib/text/counted";

const STEPS: { state: CommandState; label: string; hint: string }[] = [
  { state: "queued", label: "queued", hint: "recorded in the store" },
  { state: "sent", label: "sent", hint: "PUBLISH QoS 2 written to the broker" },
  { state: "delivered", label: "delivered", hint: "broker's PUBCOMP: QoS 2 done on this hop, not yet on the device" },
];

const FINAL_HINT: Record<string, string> = {
  succeeded: "the device confirmed it",
  failed: "the device said it failed",
  timed_out: "nothing confirmed it in time",
  rejected: "refused before sending",
};

const ms = (from: number, at: number | undefined) => (at === undefined ? "" : `+${Math.max(0, at - from)} ms`);

/** A command's steps as they happened, with their times from the moment it was recorded. */
export function CommandLifecycle({ command }: { command: Command }) {
  const final = isFinal(command.state) ? command.transitions.at(-1)! : null;
  const warning = command.transitions[0]?.note;
  return (
    <div className={styles.lifecycle} data-testid="command-lifecycle" data-state={command.state}>
      <p className={styles.lifecycleHead}>
        <strong>{command.name}</strong> <code>{JSON.stringify(command.args)}</code> to <span className="device-id">{command.device}</span> by {command.actor} at{" "}
        <time dateTime={new Date(command.createdAt).toISOString()}>{new Date(command.createdAt).toLocaleTimeString(undefined, { hour12: false })}</time>{" "}
        <span className="muted small">id {command.id}</span>
      </p>
      {warning && <p className={styles.warning}>{warning}</p>}
      <ol className={styles.steps} aria-label={`Lifecycle of ${command.name}`}>
        {STEPS.map((s) => {
          const at = reachedAt(command, s.state);
          return (
            <li key={s.state} className={at === undefined ? styles.pending : styles.done} title={s.hint}>
              <span>{s.label}</span>
              <time>{ms(command.createdAt, at)}</time>
            </li>
          );
        })}
        <li className={final ? styles[`final_${final.state}`] : styles.pending} title={final ? FINAL_HINT[final.state] : "waiting for the device's reply or echo"}>
          <span data-testid="command-state">{final ? final.state.replace("_", " ") : "confirmation…"}</span>
          <time>{final ? ms(command.createdAt, final.at) : `times out at +${command.timeoutMs} ms`}</time>
        </li>
      </ol>
      {command.error && <p className={`error ${styles.wrap}`}>{command.error}</p>}
      {command.result !== undefined && <pre className={styles.result}>{JSON.stringify(command.result)}</pre>}
      <p className="muted small" style={{ margin: "0.3rem 0 0" }}>
        QoS is per hop: <Link href={`/wire?device=${encodeURIComponent(command.device)}`}>{command.device}&apos;s packets on /wire</Link> show its handshakes with the broker as they happen.
      </p>
      {command.events.length > 0 && (
        <details>
          <summary className="muted small">{counted(command.events.length, "event")}</summary>
          <ul className={styles.eventList}>
            {command.events.map((e, i) => (
              <li key={i}>
                <time>{ms(command.createdAt, e.at)}</time> <span>{e.type}</span> <span className="muted">{e.effect}</span>
                {e.detail !== undefined && <code>{JSON.stringify(e.detail)}</code>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
