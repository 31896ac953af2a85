/**
 * A command's lifecycle as a pure state machine:
 *
 *   queued → sent → delivered → succeeded | failed | timed_out      (and queued → rejected)
 *
 * `sent` is the PUBLISH written to the broker, `delivered` the broker's PUBCOMP (QoS 2 done on
 * that hop — not on the device), and only the device's reply or state echo makes it `succeeded`.
 * Every input is kept in `events` with its time; inputs that come after a final state (a late or
 * duplicate reply, a PUBCOMP after the reply) are recorded and change nothing.
 */
import type { Args } from "../devices/command-args";
import type { Expectation } from "../devices/convention";
import type { StoredRequest } from "./convention-commands";
import type { ConfirmRule } from "./definitions";

export type CommandState = "queued" | "sent" | "delivered" | "succeeded" | "failed" | "timed_out" | "rejected";

export const COMMAND_STATES: readonly CommandState[] = ["queued", "sent", "delivered", "succeeded", "failed", "timed_out", "rejected"];
export const FINAL_STATES: ReadonlySet<CommandState> = new Set(["succeeded", "failed", "timed_out", "rejected"]);
export const isFinal = (s: CommandState) => FINAL_STATES.has(s);

export interface Transition {
  state: CommandState;
  at: number;
  note?: string;
}

export type CommandInput =
  /** The PUBLISH went out (again, after a reconnect, when the state is past `queued`). */
  | { type: "published"; at: number; dup?: boolean }
  | { type: "pubrec"; at: number }
  | { type: "pubcomp"; at: number }
  /** The broker acknowledged at QoS 1: the QoS of a written request, or a QoS 2 command downgraded. */
  | { type: "puback"; at: number }
  | { type: "reply"; at: number; ok: boolean; result?: unknown; error?: string }
  | { type: "echo"; at: number; note: string }
  /** `note`: why it is only noticed now (the server was down at the deadline). */
  | { type: "timeout"; at: number; note?: string }
  | { type: "reject"; at: number; reason: string }
  /** The broker connection refused or dropped the publish for good. */
  | { type: "publish_failed"; at: number; error: string }
  /**
   * A restarted service found the command still queued in the store and sends it again, as a new
   * PUBLISH: the run before may have sent it already (its `sent` is a lazy write), so the device
   * may get it twice, with the same command id, which it obeys once.
   */
  | { type: "resent"; at: number };

export interface CommandEvent {
  at: number;
  type: CommandInput["type"];
  /** What the input did, in words: "succeeded", "late reply, ignored", … */
  effect: string;
  detail?: unknown;
}

export interface Command {
  id: string;
  /** The client's idempotency key: a retried POST with it gets this command back. */
  key: string | null;
  device: string;
  site: string;
  name: string;
  args: Args;
  topic: string;
  actor: string;
  createdAt: number;
  timeoutMs: number;
  deadline: number;
  confirm: ConfirmRule;
  /** A convention's command: the request as written, and what will confirm it. */
  request?: StoredRequest;
  expect?: Expectation;
  state: CommandState;
  transitions: Transition[];
  events: CommandEvent[];
  result?: unknown;
  error?: string;
}

export type NewCommand = Omit<Command, "state" | "transitions" | "events" | "deadline" | "result" | "error">;

export function createCommand(c: NewCommand): Command {
  return { ...c, deadline: c.createdAt + c.timeoutMs, state: "queued", transitions: [{ state: "queued", at: c.createdAt }], events: [] };
}

const ORDER: Record<CommandState, number> = { queued: 0, sent: 1, delivered: 2, succeeded: 3, failed: 3, timed_out: 3, rejected: 3 };

function moveTo(c: Command, state: CommandState, at: number, note?: string): Command {
  return { ...c, state, transitions: [...c.transitions, note === undefined ? { state, at } : { state, at, note }] };
}

const record = (c: Command, input: CommandInput, effect: string, detail?: unknown): Command => ({
  ...c,
  events: [...c.events, detail === undefined ? { at: input.at, type: input.type, effect } : { at: input.at, type: input.type, effect, detail }],
});

/** The device answered, so the broker certainly had it: fill in the steps it skipped. */
function reachedAtLeast(c: Command, state: "sent" | "delivered", at: number): Command {
  let out = c;
  if (ORDER[out.state] < ORDER.sent) out = moveTo(out, "sent", at);
  if (state === "delivered" && ORDER[out.state] < ORDER.delivered) out = moveTo(out, "delivered", at);
  return out;
}

/** Applies one input; never leaves a final state. */
export function applyInput(c: Command, input: CommandInput): Command {
  const final = isFinal(c.state);
  switch (input.type) {
    case "published":
      if (c.state === "queued") return record(moveTo(c, "sent", input.at), input, "sent");
      return record(c, input, input.dup ? "resent with DUP" : "published again");
    case "pubrec":
      return record(final ? c : reachedAtLeast(c, "sent", input.at), input, "broker has it (PUBREC)");
    case "puback":
      if (final) return record(c, input, `broker PUBACK after ${c.state}, ignored`);
      return record(
        reachedAtLeast(c, "delivered", input.at),
        input,
        (c.request?.qos ?? 2) < 2 ? "delivered (PUBACK)" : "delivered at QoS 1 (PUBACK): the broker took the QoS 2 command as at least once, not exactly once",
      );
    case "pubcomp":
      if (final) return record(c, input, `broker PUBCOMP after ${c.state}, ignored`);
      return record(reachedAtLeast(c, "delivered", input.at), input, "delivered (PUBCOMP)");
    case "reply": {
      const detail = input.ok ? { ok: true, result: input.result } : { ok: false, error: input.error };
      if (final) {
        const effect = c.state === "timed_out" ? "late reply, ignored" : c.events.some((e) => e.type === "reply") ? "duplicate reply, ignored" : `reply after ${c.state}, ignored`;
        return record(c, input, effect, detail);
      }
      if (!input.ok) {
        const failed = moveTo(reachedAtLeast(c, "sent", input.at), "failed", input.at, input.error);
        return record({ ...failed, error: input.error ?? "the device said it failed" }, input, "failed", detail);
      }
      // A command confirmed by its echo waits for the echo: an "ok" only says it was accepted.
      if (c.confirm.kind === "echo" || (c.confirm.kind === "convention" && c.confirm.confirm === "echo")) return record(reachedAtLeast(c, "sent", input.at), input, "accepted; waiting for the echo", detail);
      return record({ ...moveTo(reachedAtLeast(c, "sent", input.at), "succeeded", input.at), result: input.result }, input, "succeeded", detail);
    }
    case "echo":
      if (final) return record(c, input, `echo after ${c.state}, ignored`, input.note);
      if (c.state === "queued") return record(c, input, "echo before the command was sent, ignored", input.note);
      return record(moveTo(c, "succeeded", input.at, input.note), input, "succeeded", input.note);
    case "timeout": {
      if (final) return c;
      const error = `${timeoutReason(c)}${input.note ? ` (${input.note})` : ""}`;
      return record({ ...moveTo(c, "timed_out", input.at), error }, input, "timed out");
    }
    case "reject":
      if (c.state !== "queued") return record(c, input, `reject after ${c.state}, ignored`, input.reason);
      return record({ ...moveTo(c, "rejected", input.at, input.reason), error: input.reason }, input, "rejected", input.reason);
    case "resent":
      if (final) return record(c, input, `resend after ${c.state}, ignored`);
      return record(c, input, "sent again after a restart (the run before may have sent it: the device may get it twice, with the same id)");
    case "publish_failed":
      if (final || c.state !== "queued") return record(c, input, "publish error after it went out, ignored", input.error);
      return record({ ...moveTo(c, "failed", input.at, input.error), error: input.error }, input, "failed", input.error);
  }
}

/** Why nothing confirmed it, from how far it got: the operator's next step depends on it. */
function timeoutReason(c: Command): string {
  const base = `no confirmation within ${c.timeoutMs} ms`;
  if (c.state === "queued") return `${base}: it was never sent (no broker connection)`;
  if (c.state === "sent") return `${base}: the broker never completed the QoS 2 handshake (no PUBCOMP)`;
  const accepted = c.events.some((e) => e.type === "reply" && e.effect.startsWith("accepted"));
  const rule = c.confirm;
  if (rule.kind === "convention") {
    const what = rule.confirm === "echo" ? `its state never showed it (${c.expect?.topic ?? "no echo topic"})` : "it never replied";
    return `${base}: the broker has it, but ${accepted ? "though the device accepted it, " : ""}${what}`;
  }
  if (rule.kind === "echo" && rule.stream === "telemetry") {
    return `${base}: ${accepted ? "the device accepted it, but its" : "its"} telemetry never showed ${rule.field} = ${String(c.args[rule.equalsArg])}`;
  }
  if (rule.kind === "echo") return `${base}: ${accepted ? "the device accepted it, but never" : "the device never"} said ${rule.equals} again`;
  return `${base}: the broker has it (${c.events.some((e) => e.type === "puback") ? "PUBACK, at QoS 1" : "PUBCOMP"}), the device never replied`;
}

/** When the command reached `state`, if it did. */
export const reachedAt = (c: Command, state: CommandState) => c.transitions.find((t) => t.state === state)?.at;

/** Does the echo rule hold for this telemetry object? */
export function telemetryConfirms(rule: ConfirmRule, args: Args, telemetry: Record<string, unknown>): boolean {
  if (rule.kind !== "echo" || rule.stream !== "telemetry") return false;
  const want = args[rule.equalsArg];
  let got: unknown = telemetry;
  for (const part of rule.field.split(".")) got = got !== null && typeof got === "object" ? (got as Record<string, unknown>)[part] : undefined;
  if (typeof want === "number" && typeof got === "number") return Math.abs(got - want) <= (rule.tolerance ?? 0);
  return got === want;
}

/** Is a retried POST the same request as the command its key already made? */
export function sameRequest(c: Command, req: { device: string; name: string; args: Args }): boolean {
  if (c.device !== req.device || c.name !== req.name) return false;
  const a = Object.keys(c.args).sort();
  const b = Object.keys(req.args).sort();
  return a.length === b.length && a.every((k, i) => k === b[i] && c.args[k] === req.args[k]);
}
