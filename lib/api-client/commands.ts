/** The command endpoints: the audit log, one command, and sending one (POST /api/commands). */
import type { z } from "zod";
import type { Command } from "../commands/lifecycle";
import type { ArgErrors } from "../devices/command-args";
import type { commandBody } from "../http/commands-params";
import type { CommandPage } from "../store/command-log";
import { ApiError, apiRequest } from "./request";
import { segment, withQuery, type Query } from "./query";

export const listCommands = (q: Query, signal?: AbortSignal) => apiRequest<CommandPage>(withQuery("/api/commands", q), { signal });

export const getCommand = (id: string, signal?: AbortSignal) => apiRequest<Command>(`/api/commands/${segment(id)}`, { signal });

/** 202 with the command as recorded; a retry with the same idempotency key never sends twice. */
export const submitCommand = (body: z.input<typeof commandBody>, key: string) =>
  apiRequest<Command>("/api/commands", { method: "POST", body, headers: { "idempotency-key": key } });

/**
 * What a refused POST /api/commands carries beside its message: the arguments' problems (400),
 * and the command as recorded when the refusal was recorded too (rejected: 403, 409, 400).
 */
export function commandRefusal(err: ApiError): { fields?: ArgErrors; command?: Command } {
  const { fields, command } = err.body as { fields?: ArgErrors; command?: Command };
  return { fields, command };
}
