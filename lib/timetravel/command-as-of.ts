/**
 * A command as it stood at a past moment: its lifecycle up to then (a command final now may have
 * been in flight), so a past view's command history says what an operator saw at the time.
 */
import type { Command } from "../commands/lifecycle";

export function commandAsOf(c: Command, at: number): Command {
  const transitions = c.transitions.filter((t) => t.at <= at);
  const last = transitions[transitions.length - 1];
  if (!last || transitions.length === c.transitions.length) return c;
  return { ...c, state: last.state, transitions, events: c.events.filter((e) => e.at <= at), result: undefined, error: undefined };
}
