import type { ArgErrors, Args } from "@/lib/devices/command-args";
import type { Command } from "@/lib/commands/lifecycle";

export type SendOutcome =
  | { ok: true; command: Command }
  /** Refused: the message says why; a refused command is recorded too (rejected) when `command` is set. */
  | { ok: false; message: string; fields?: ArgErrors; command?: Command };

/** POST /api/commands with an idempotency key: a retry with the same key never sends twice. */
export async function sendCommand(device: string, name: string, args: Args, key: string): Promise<SendOutcome> {
  const res = await fetch("/api/commands", {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ device, name, args }),
  });
  const body = (await res.json()) as Command & { error?: { message: string }; fields?: ArgErrors; command?: Command };
  if (res.status === 202) return { ok: true, command: body };
  return { ok: false, message: body.error?.message ?? `HTTP ${res.status}`, fields: body.fields, command: body.command };
}

/** A fresh idempotency key; `randomUUID` exists only in secure contexts, plain http on a LAN is not one. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
