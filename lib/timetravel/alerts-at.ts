/**
 * Which alerts were firing at a past moment, from the episodes open then (GET /api/alerts with
 * from = to = the moment, transitions=true): an episode's state at T is where its last transition
 * at or before T led. Pure, for the header's badge in a past view.
 */
import type { AlertItem } from "../alerts/alert-list";
import type { AlertStatus } from "../alerts/state";

type Step = NonNullable<AlertItem["transitions"]>[number];

const FIRING: ReadonlySet<AlertStatus> = new Set(["firing", "firing_no_data"]);

/** The episode's state at `at`; its listed transitions are its newest, so an older moment may fall before them all. */
export function stateAt(a: AlertItem, at: number): AlertStatus | null {
  if (a.startedAt > at || (a.endedAt !== null && a.endedAt <= at)) return null;
  const ts = a.transitions;
  if (!ts || ts.length === 0) return a.state;
  let before: Step | null = null;
  let after: Step | null = null;
  for (const t of ts) {
    if (t.at <= at && (before === null || t.at >= before.at)) before = t;
    if (t.at > at && (after === null || t.at < after.at)) after = t;
  }
  // With no listed transition by then, the state before the earliest listed one after it is the nearest known.
  return before ? before.to : after!.from;
}

export function firingAt(alerts: readonly AlertItem[], at: number): number {
  let n = 0;
  for (const a of alerts) if (FIRING.has(stateAt(a, at) ?? "normal")) n++;
  return n;
}
