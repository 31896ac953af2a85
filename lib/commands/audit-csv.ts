/** The command audit log as CSV: who, when, what, with which arguments, and how it ended. Pure. */
import { csvCell } from "../text/csv";
import { reachedAt, type Command } from "./lifecycle";

const HEADER = ["created", "created_ms", "id", "actor", "device", "command", "args", "state", "sent_ms", "delivered_ms", "finished_ms", "round_trip_ms", "outcome"];

const iso = (ms: number | undefined) => (ms === undefined ? "" : new Date(ms).toISOString());
const num = (n: number | undefined) => (n === undefined ? "" : String(n));

/** When the command reached its final state, if it has. */
export function finishedAt(c: Command): number | undefined {
  return ["succeeded", "failed", "timed_out", "rejected"].includes(c.state) ? c.transitions.at(-1)?.at : undefined;
}

export function commandsToCsv(commands: readonly Command[]): string {
  const rows = [HEADER.join(",")];
  for (const c of commands) {
    const sent = reachedAt(c, "sent");
    const finished = finishedAt(c);
    const outcome = c.error ?? (c.result === undefined ? "" : JSON.stringify(c.result));
    rows.push(
      [
        iso(c.createdAt),
        String(c.createdAt),
        csvCell(c.id),
        csvCell(c.actor),
        csvCell(c.device),
        csvCell(c.name),
        csvCell(JSON.stringify(c.args)),
        c.state,
        num(sent),
        num(reachedAt(c, "delivered")),
        num(finished),
        num(sent !== undefined && finished !== undefined ? finished - sent : undefined),
        csvCell(outcome),
      ].join(","),
    );
  }
  return rows.join("\r\n") + "\r\n";
}
