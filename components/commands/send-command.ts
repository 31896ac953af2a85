import type { ArgErrors, Args } from "@/lib/devices/command-args";
import type { Command } from "@/lib/commands/lifecycle";
import { commandRefusal, submitCommand } from "@/lib/api-client/commands";
import { isApiRefusal } from "@/lib/api-client/request";

export type SendOutcome =
  | { ok: true; command: Command }
  /** Refused: the message says why; a refused command is recorded too (rejected) when `command` is set. */
  | { ok: false; message: string; fields?: ArgErrors; command?: Command };

/**
 * POST /api/commands with an idempotency key: a retry with the same key never sends twice. Throws
 * when no API answer came (nothing reached, a proxy's page): whether it was sent is not known.
 */
export async function sendCommand(device: string, name: string, args: Args, key: string): Promise<SendOutcome> {
  try {
    return { ok: true, command: await submitCommand({ device, name, args }, key) };
  } catch (err) {
    if (!isApiRefusal(err)) throw err;
    return { ok: false, message: err.message, ...commandRefusal(err) };
  }
}

/** A fresh idempotency key; `randomUUID` exists only in secure contexts, plain http on a LAN is not one. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
