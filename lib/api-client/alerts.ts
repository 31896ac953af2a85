/**
 * The alert endpoints, typed by the functions the routes shape their answers with
 * (lib/alerting), imported as types only: those modules run on the server.
 */
import type { PreviewAnswer } from "../alerting/preview";
import type { apiRule, apiSilence, apiTransition } from "../alerting/records";
import type { shapeAlert } from "../alerting/requests";
import { apiRequest } from "./request";
import { segment, withQuery, type Query } from "./query";

/** An alert as GET /api/alerts lists it; with `transitions=true`, its latest transitions too. */
export type ListedAlert = Awaited<ReturnType<typeof shapeAlert>> & {
  transitions?: ReturnType<typeof apiTransition>[];
};
export type ListedRule = ReturnType<typeof apiRule>;

export const listAlerts = (q: Query, signal?: AbortSignal) => apiRequest<{ alerts: ListedAlert[]; next: string | null }>(withQuery("/api/alerts", q), { signal });

export const getAlert = (id: string, signal?: AbortSignal) => apiRequest<ListedAlert>(`/api/alerts/${segment(id)}`, { signal });

export const acknowledgeAlert = (id: string, body: { comment?: string }) => apiRequest<ListedAlert>(`/api/alerts/${segment(id)}/ack`, { method: "POST", body });

export const addSilence = (body: unknown) => apiRequest<ReturnType<typeof apiSilence>>("/api/silences", { method: "POST", body });

export const listAlertRules = (signal?: AbortSignal) => apiRequest<{ rules: ListedRule[] }>("/api/alert-rules", { signal });

export const addAlertRule = (body: unknown) => apiRequest<ListedRule>("/api/alert-rules", { method: "POST", body });

export const deleteAlertRule = (id: string) => apiRequest<{ deleted: string }>(`/api/alert-rules/${segment(id)}`, { method: "DELETE" });

export const previewAlertRule = (body: unknown) => apiRequest<PreviewAnswer>("/api/alert-rules/preview", { method: "POST", body });
