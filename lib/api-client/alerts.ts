/**
 * The alert endpoints, typed by the functions the routes shape their answers with
 * (lib/alerting), imported as types only: those modules run on the server.
 */
import type { z } from "zod";
import type { PreviewAnswer } from "../alerting/preview";
import type { apiRule, apiSilence, apiTransition } from "../alerting/records";
import type { ackBody, shapeAlert } from "../alerting/requests";
import type { silenceBodySchema } from "../alerts/silence";
import { apiRequest } from "./request";
import { segment, withQuery, type Query } from "./query";

/** An alert as GET /api/alerts lists it; with `transitions=true`, its latest transitions too. */
export type ListedAlert = Awaited<ReturnType<typeof shapeAlert>> & {
  transitions?: ReturnType<typeof apiTransition>[];
};
/** A rule as the API shows it: one that no longer parses comes with its `problem` instead. */
export type ApiAlertRule = ReturnType<typeof apiRule>;
/** A rule as the form sends it; the route validates it (lib/alerts/rule.ts). */
type RuleBody = Record<string, unknown>;

export const listAlerts = (q: Query, signal?: AbortSignal) => apiRequest<{ alerts: ListedAlert[]; next: string | null }>(withQuery("/api/alerts", q), { signal });

export const getAlert = (id: string, signal?: AbortSignal) => apiRequest<ListedAlert>(`/api/alerts/${segment(id)}`, { signal });

export const acknowledgeAlert = (id: string, body: z.input<typeof ackBody>) => apiRequest<ListedAlert>(`/api/alerts/${segment(id)}/ack`, { method: "POST", body });

export const addSilence = (body: Omit<z.input<typeof silenceBodySchema>, "createdBy">) => apiRequest<ReturnType<typeof apiSilence>>("/api/silences", { method: "POST", body });

/** The rules that parse: a stored one that no longer does comes with `problem` instead of its keys. */
export const parsedRules = (rules: readonly ApiAlertRule[]) => rules.filter((r): r is Exclude<ApiAlertRule, { problem: string }> => !("problem" in r));

export const listAlertRules = (signal?: AbortSignal) => apiRequest<{ rules: ApiAlertRule[] }>("/api/alert-rules", { signal });

export const addAlertRule = (body: RuleBody) => apiRequest<ApiAlertRule>("/api/alert-rules", { method: "POST", body });

export const deleteAlertRule = (id: string) => apiRequest<{ deleted: string }>(`/api/alert-rules/${segment(id)}`, { method: "DELETE" });

export const previewAlertRule = (body: RuleBody) => apiRequest<PreviewAnswer>("/api/alert-rules/preview", { method: "POST", body });
