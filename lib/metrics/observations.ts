import "server-only";
/** The one-line observation points of the histograms in registry.ts, for the modules that time things. */
import type { Command } from "../commands/lifecycle";
import { fleetMetrics } from "./registry";

/** Times a store commit from now until it resolves; a failed commit is not a commit time. */
export function timeCommit<T>(committing: Promise<T>): Promise<T> {
  const end = fleetMetrics().ingestCommit.startTimer();
  committing.then(() => end(), () => undefined);
  return committing;
}

/** A command that just reached its final state: sent → final, on the command's own clock. */
export function observeRoundTrip(command: Command): void {
  const sent = command.transitions.find((t) => t.state === "sent");
  const last = command.transitions[command.transitions.length - 1];
  if (sent && last) fleetMetrics().commandRoundTrip.observe({ state: command.state }, Math.max(0, last.at - sent.at) / 1000);
}
