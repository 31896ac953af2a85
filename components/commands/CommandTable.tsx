"use client";
import Link from "next/link";
import { finishedAt } from "@/lib/commands/audit-csv";
import { reachedAt, type Command } from "@/lib/commands/lifecycle";
import styles from "./commands.module.css";

const time = (ms: number) => new Date(ms).toLocaleString(undefined, { hour12: false });

/** Send to confirmation (or failure); a command that timed out or was refused had no round trip. */
function roundTrip(c: Command): string {
  if (c.state === "timed_out" || c.state === "rejected") return "—";
  const sent = reachedAt(c, "sent");
  const done = finishedAt(c);
  return sent !== undefined && done !== undefined ? `${done - sent} ms` : "";
}

/** Commands as rows: who sent what, with which arguments, and how it ended. Text only: args and outcomes come from devices. */
export function CommandTable({ commands, showDevice, selected, onSelect }: { commands: Command[]; showDevice: boolean; selected: string | null; onSelect: (c: Command) => void }) {
  return (
    <table className={styles.history}>
      <thead>
        <tr>
          <th>time</th>
          <th>who</th>
          {showDevice && <th>device</th>}
          <th>command</th>
          <th>args</th>
          <th>state</th>
          <th>round trip</th>
          <th>outcome</th>
        </tr>
      </thead>
      <tbody>
        {commands.map((c) => (
          <tr key={c.id} aria-selected={c.id === selected} data-testid="command-row">
            <td>
              <button type="button" onClick={() => onSelect(c)} title="Show its lifecycle">
                {time(c.createdAt)}
              </button>
            </td>
            <td>{c.actor}</td>
            {showDevice && (
              <td className="device-id">
                <Link href={`/devices/${encodeURIComponent(c.device)}`}>{c.device}</Link>
              </td>
            )}
            <td>{c.name}</td>
            <td>
              <code>{JSON.stringify(c.args)}</code>
            </td>
            <td className={styles[`state_${c.state}`]}>{c.state.replace("_", " ")}</td>
            <td>{roundTrip(c)}</td>
            <td>
              <div className={styles.outcome}>{c.error ?? (c.result === undefined ? "" : JSON.stringify(c.result))}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
