/**
 * The alert state machine of one rule on one device. The rule's condition (lib/alerts/condition.ts)
 * reads the data into a verdict — the condition holds ("breach"), does not ("ok"), or cannot be
 * told because the data is missing ("no_data") — and this moves the state:
 *
 *   normal ──breach──▶ pending ──breach for `for`──▶ firing ──ok for keep-firing-for──▶ resolved
 *     ▲                  │ ok, or no data                │ ▲ no data      data back   │
 *     └──────────────────┘                               ▼ │                          │
 *                                                   firing_no_data                    │
 *   resolved ──breach──▶ pending (a new episode) ◀────────────────────────────────────┘
 *
 * - `for` 0 goes from normal straight to firing, in one transition.
 * - firing_no_data never resolves on its own: only data that shows the condition gone resolves
 *   it. A tool that resolves an alert whose series stops resolves a device that died over its
 *   threshold instead of escalating it — the trap this avoids.
 * - pending that loses its data returns to normal: `for` says the condition held all along, and
 *   nothing can say so without data. A device going silent is the no_data and offline rules' job.
 * - keep-firing-for: the condition must stay gone that long before firing resolves; the clock
 *   restarts if it comes back, and stops while data is missing.
 * - A state restored after a downtime (awaitingData) completes no duration before a fresh
 *   observation: no alert fires or resolves on what was known before the restart alone.
 * - Acknowledging is a flag (Ack), cleared when the alert resolves or its pending ends.
 * Pure: time comes in as `now`.
 */
import { formatDuration } from "./duration";
import { isFiring, record, type AlertState, type AlertStatus, type AlertValue, type Transition } from "./state";

export type Verdict =
  /** `since`: when the condition began to hold, when that is earlier than now (a device offline since 10:02). */
  | { kind: "breach"; value: AlertValue; reason: string; since?: number }
  | { kind: "ok"; value: AlertValue; reason: string }
  | { kind: "no_data"; value: AlertValue; reason: string };

export interface Timing {
  pendingMs: number;
  keepFiringForMs: number;
}

/** Moves `state` (in place) for `verdict` at `now`; the transition made, or null when the status stays. */
export function advance(state: AlertState, verdict: Verdict, timing: Timing, now: number): Transition | null {
  const v = verdict;
  if (v.kind !== "no_data") state.value = v.value;
  switch (state.status) {
    case "normal":
    case "resolved": {
      if (v.kind !== "breach") return null;
      state.activeSince = Math.min(v.since ?? now, now);
      state.clearSince = null;
      if (!state.awaitingData && now - state.activeSince >= timing.pendingMs) return fire(state, v, timing, now);
      return move(state, "pending", now, v.reason, v.value);
    }
    case "pending": {
      if (v.kind === "ok") return end(state, "normal", now, `${v.reason} before ${formatDuration(timing.pendingMs)} had passed`, v.value);
      if (v.kind === "no_data") return end(state, "normal", now, `${v.reason}: the ${formatDuration(timing.pendingMs)} cannot be confirmed`, v.value);
      if (!state.awaitingData && now - state.activeSince! >= timing.pendingMs) return fire(state, v, timing, now);
      return null;
    }
    case "firing": {
      if (v.kind === "breach") {
        state.clearSince = null;
        return null;
      }
      if (v.kind === "no_data") {
        state.clearSince = null;
        return move(state, "firing_no_data", now, v.reason, v.value);
      }
      return clearing(state, v, timing, now);
    }
    case "firing_no_data": {
      if (v.kind === "no_data") return null;
      if (v.kind === "breach") return move(state, "firing", now, `data back: ${v.reason}`, v.value);
      if (timing.keepFiringForMs === 0) return end(state, "resolved", now, `data back: ${v.reason}`, v.value);
      state.clearSince = now;
      return move(state, "firing", now, `data back: ${v.reason}; firing ${formatDuration(timing.keepFiringForMs)} more unless it stays so`, v.value);
    }
  }
}

/** When this state's status next changes with no new data, if the verdict stays: the tick an I/O shell must give. */
export function machineDeadline(state: AlertState, timing: Timing): number | null {
  if (state.awaitingData) return null;
  if (state.status === "pending" && state.activeSince !== null) return state.activeSince + timing.pendingMs;
  if (state.status === "firing" && state.clearSince !== null) return state.clearSince + timing.keepFiringForMs;
  return null;
}

/** Ends an episode for a reason outside the data (the rule was deleted or changed): firing and pending alike. */
export function close(state: AlertState, now: number, reason: string): Transition | null {
  if (state.status === "normal" || state.status === "resolved") return null;
  return end(state, isFiring(state.status) ? "resolved" : "normal", now, reason, state.value);
}

function clearing(state: AlertState, v: Verdict, timing: Timing, now: number): Transition | null {
  if (timing.keepFiringForMs === 0) return end(state, "resolved", now, v.reason, v.value);
  state.clearSince ??= now;
  if (state.awaitingData || now - state.clearSince < timing.keepFiringForMs) return null;
  return end(state, "resolved", now, `${v.reason} for ${formatDuration(timing.keepFiringForMs)} (keep-firing-for)`, v.value);
}

function fire(state: AlertState, v: Verdict, timing: Timing, now: number): Transition {
  state.firedAt = now;
  state.resolvedAt = null;
  const held = timing.pendingMs > 0 ? ` for ${formatDuration(timing.pendingMs)}` : "";
  return move(state, "firing", now, `${v.reason}${held}`, v.value);
}

function end(state: AlertState, to: "normal" | "resolved", now: number, reason: string, value: AlertValue): Transition {
  state.activeSince = null;
  state.clearSince = null;
  state.ack = null;
  if (to === "resolved") state.resolvedAt = now;
  return move(state, to, now, reason, value);
}

function move(state: AlertState, to: AlertStatus, now: number, reason: string, value: AlertValue): Transition {
  const from = state.status;
  state.status = to;
  state.since = now;
  return record(state, { rule: state.rule, device: state.device, from, to, at: now, reason, value });
}
