/** What the server's conventions learned (GET /api/conventions/state), and saving a user rule. */
import type { Interpreter } from "../devices/registry";
import type { Rule } from "../devices/conventions/rules";
import type { RuleAction } from "../store/rules";
import type { RuleEntry } from "../user-rules/rule-set";
import { ApiError, apiRequest } from "./request";

export const getConventionState = (signal?: AbortSignal) => apiRequest<{ state: ReturnType<Interpreter["snapshot"]> }>("/api/conventions/state", { signal });

/** POST /api/conventions/rules: in force on this server when the answer comes. */
export const saveUserRule = (rule: Rule) => apiRequest<{ action: RuleAction | "unchanged"; rule: RuleEntry | undefined }>("/api/conventions/rules", { method: "POST", body: rule });

/** A refused rule's problems, each naming its key (a 400 lists them in `errors` beside the message). */
export function ruleProblems(err: ApiError): string[] {
  const { errors } = err.body as { errors?: string[] };
  return errors ?? [err.message];
}
