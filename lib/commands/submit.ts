/**
 * What to do with a command request, decided before anything is sent: which definition it names,
 * whether its arguments hold, whether the device's state allows it, and the command it becomes.
 * Pure; the service records the outcome and sends.
 */
import { validateArgs, type ArgErrors } from "../devices/command-args";
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, type CommandDefinition } from "./definitions";
import { applyInput, createCommand, type Command } from "./lifecycle";
import { commandTopic } from "./replies";

export interface CommandRequest {
  device: string;
  name: string;
  args?: unknown;
  timeoutMs?: number;
  /** The client's idempotency key. */
  key?: string;
  actor: string;
  /** Set when the actor may not send commands: the request is recorded as rejected, for the audit. */
  forbidden?: string;
}

export interface TargetDevice {
  id: string;
  site: string;
  status: "online" | "offline" | "unknown";
}

export type Decision =
  | { kind: "unknown_command"; known: string[] }
  | { kind: "invalid"; errors: ArgErrors; command: Command }
  | { kind: "offline"; command: Command }
  | { kind: "forbidden"; command: Command }
  | { kind: "send"; command: Command };

export function decide(req: CommandRequest, device: TargetDevice, definitions: CommandDefinition[], id: string, now: number): Decision {
  const def = definitions.find((d) => d.name === req.name);
  if (!def) return { kind: "unknown_command", known: definitions.map((d) => d.name) };
  const timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, req.timeoutMs ?? def.timeoutMs));
  const checked = validateArgs(def.args, req.args);
  const command = createCommand({
    id,
    key: req.key ?? null,
    device: device.id,
    site: device.site,
    name: def.name,
    // Invalid arguments are kept only as far as they are plain values, for the audit log.
    args: checked.ok ? checked.args : plainArgs(req.args),
    topic: def.topic ?? commandTopic(device.site, device.id, def.name),
    actor: req.actor,
    createdAt: now,
    timeoutMs,
    confirm: def.confirm,
  });
  if (req.forbidden) return { kind: "forbidden", command: applyInput(command, { type: "reject", at: now, reason: req.forbidden }) };
  if (!checked.ok) {
    const reason = Object.entries(checked.errors).map(([k, v]) => (k ? `${k} ${v}` : v)).join("; ");
    return { kind: "invalid", errors: checked.errors, command: applyInput(command, { type: "reject", at: now, reason: `invalid arguments: ${reason}` }) };
  }
  if (device.status === "offline" && def.whenOffline === "reject") {
    return { kind: "offline", command: applyInput(command, { type: "reject", at: now, reason: `${device.id} is offline` }) };
  }
  if (device.status === "offline") {
    // Sent anyway (an emergency stop is worth the try), and the record says what that means.
    const [queued] = command.transitions;
    return { kind: "send", command: { ...command, transitions: [{ ...queued!, note: `${device.id} looked offline: only a broker that keeps its session holds this for it` }] } };
  }
  return { kind: "send", command };
}

const MAX_AUDIT_ARGS = 20;

function plainArgs(input: unknown): Command["args"] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return {};
  const out: Command["args"] = {};
  for (const [k, v] of Object.entries(input).slice(0, MAX_AUDIT_ARGS)) {
    if (typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (typeof v === "string") out[k] = v.slice(0, 200);
  }
  return out;
}
