/**
 * What each API route serves, for GET /api/openapi.json: per route file and method, who may call
 * it, the zod schemas the handler validates its path, query and body with (the same objects, so
 * the document cannot drift from them), its success answer and the error codes it can give
 * beyond those document.ts adds for every operation of its kind. Typed by ApiRoute: a route
 * missing here fails tsc.
 */
import { z } from "zod";
import { ackBody, alertIdParam, ruleIdParam, silenceIdParam, silencesQuery } from "../../alerting/requests";
import { alertQuerySchema } from "../../alerting/records";
import { ruleBodySchema } from "../../alerts/rule";
import { silenceBodySchema } from "../../alerts/silence";
import { loginBody, newUserBody, setupBody, userPatchBody } from "../../auth/requests";
import { usernameSchema, type Role } from "../../auth/roles";
import { captureIdParam, packetsQuery } from "../../captures/requests";
import { ruleNameSchema, ruleSchema } from "../../devices/conventions/rules";
import type { ApiRoute } from "../api-routes";
import { commandBody, commandIdParam, commandListQuery } from "../commands-params";
import { deliveryQuery } from "../delivery-params";
import type { ErrorCode } from "../error-body";
import { exportQuery } from "../export-params";
import { messagesQuery } from "../messages-params";
import type { Method } from "../method-not-allowed";
import { deviceIdParam } from "../query-params";
import { seriesQuery } from "../series-params";
import { snapshotQuery } from "../snapshot-params";
import { statusQuery } from "../status-params";
import { traceQuery } from "../trace-params";

export type Access = "public" | Role;
export type Media = "application/json" | "application/x-ndjson" | "text/csv" | "text/event-stream" | "text/plain" | "application/vnd.tcpdump.pcap";

export interface Operation {
  summary: string;
  access: Access;
  /** Path parameters' schemas by name; a parameter not listed is any non-empty segment. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodType;
  /** A JSON body's schema, or a capture file. */
  body?: z.ZodType | "application/vnd.tcpdump.pcap";
  /** Body keys the server sets itself (the schema it validates with has them). */
  serverKeys?: string[];
  ok: { status: number; description: string; media?: Media };
  errors?: ErrorCode[];
}

type Operations = Partial<Record<Method, Operation>>;

const json = (status: number, description: string) => ({ status, description });

export const OPERATIONS: Record<ApiRoute, Operations> = {
  "/api/[...path]": Object.fromEntries(
    (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map((m) => [m, { summary: "Any other path under /api/: the documented 404", access: "public", ok: json(404, "never: every answer is the 404"), errors: ["not_found"] }]),
  ),
  "/api/alert-rules": {
    GET: { summary: "The alert rules", access: "viewer", ok: json(200, "{ rules: [...] }") },
    POST: { summary: "Add an alert rule", access: "admin", body: ruleBodySchema, ok: json(201, "the rule with its id"), errors: ["conflict"] },
  },
  "/api/alert-rules/[id]": {
    GET: { summary: "One alert rule and its changes", access: "viewer", params: { id: ruleIdParam }, ok: json(200, "the rule with its changes"), errors: ["not_found"] },
    // Any of POST's keys (null removes one); the rule they make is checked as POST checks a rule.
    PATCH: { summary: "Change some keys of a rule (null removes one)", access: "admin", params: { id: ruleIdParam }, body: z.record(z.string(), z.unknown()), ok: json(200, "the rule"), errors: ["not_found"] },
    DELETE: { summary: "Delete a rule; its open alerts resolve", access: "admin", params: { id: ruleIdParam }, ok: json(200, "{ deleted: id }"), errors: ["not_found"] },
  },
  "/api/alert-rules/preview": {
    POST: { summary: "What a rule would have done over the last 24 h of stored messages (saves nothing)", access: "admin", body: ruleBodySchema, ok: json(200, "{ from, to, messages, partial, unsupported, transitions: [...], truncated, counts }") },
  },
  "/api/alerts": { GET: { summary: "Alerts, filtered and paged", access: "viewer", query: alertQuerySchema, ok: json(200, "{ alerts: [...], next }") } },
  "/api/alerts/[id]": { GET: { summary: "One alert with its transitions and notifications", access: "viewer", params: { id: alertIdParam }, ok: json(200, "the alert"), errors: ["not_found"] } },
  "/api/alerts/[id]/ack": {
    POST: { summary: "Acknowledge a pending or firing alert", access: "operator", params: { id: alertIdParam }, body: ackBody, ok: json(200, "the alert, acknowledged"), errors: ["not_found", "conflict"] },
  },
  "/api/auth/broker-token": { GET: { summary: "A short-lived token for the browser's broker connection", access: "viewer", ok: json(200, "{ username, password, expiresAt }") } },
  "/api/auth/login": {
    POST: { summary: "Log in: a session cookie", access: "public", body: loginBody, ok: json(200, "{ username, role } and Set-Cookie"), errors: ["unauthorized", "rate_limited", "internal"] },
  },
  "/api/auth/logout": { POST: { summary: "End the session", access: "public", ok: json(200, "{ ok: true }"), errors: ["internal"] } },
  "/api/auth/me": { GET: { summary: "Who the session is", access: "viewer", ok: json(200, "{ username, role }") } },
  "/api/auth/setup": {
    POST: { summary: "Set the first admin's password with the banner's one-time token", access: "public", body: setupBody, ok: json(201, "{ username, role } and Set-Cookie"), errors: ["conflict", "internal"] },
  },
  "/api/captures": {
    GET: { summary: "The imported captures", access: "viewer", ok: json(200, "{ captures: [...] }") },
    POST: { summary: "Import a pcap or pcapng file (?name=&ports=)", access: "operator", body: "application/vnd.tcpdump.pcap", ok: json(201, "the capture's summary") },
  },
  "/api/captures/[id]": {
    GET: { summary: "A capture's summary", access: "viewer", params: { id: captureIdParam }, ok: json(200, "the summary"), errors: ["not_found"] },
    DELETE: { summary: "Delete a capture", access: "operator", params: { id: captureIdParam }, ok: json(200, "{ deleted: id }"), errors: ["not_found"] },
  },
  "/api/captures/[id]/file": { GET: { summary: "The capture file as imported", access: "viewer", params: { id: captureIdParam }, ok: { status: 200, description: "the file", media: "application/vnd.tcpdump.pcap" }, errors: ["not_found"] } },
  "/api/captures/[id]/flows": { GET: { summary: "A capture's QoS handshakes as CSV", access: "viewer", params: { id: captureIdParam }, ok: { status: 200, description: "CSV", media: "text/csv" }, errors: ["not_found"] } },
  "/api/captures/[id]/packets": {
    GET: { summary: "A capture's packets, paged, in the trace event shape", access: "viewer", params: { id: captureIdParam }, query: packetsQuery, ok: json(200, "{ packets: [...], next }"), errors: ["not_found"] },
  },
  "/api/commands": {
    GET: { summary: "The command audit log (format=csv for CSV)", access: "viewer", query: commandListQuery, ok: json(200, "{ commands: [...], next }") },
    POST: {
      summary: "Send a command to a device (Idempotency-Key honoured)",
      access: "operator",
      body: commandBody,
      ok: json(202, "{ id, state }"),
      errors: ["not_found", "conflict", "unsupported_media_type", "unavailable"],
    },
  },
  "/api/commands/[id]": { GET: { summary: "One command and its lifecycle", access: "viewer", params: { id: commandIdParam }, ok: json(200, "the command"), errors: ["not_found"] } },
  "/api/conventions": { GET: { summary: "The active conventions and rules, with device counts", access: "viewer", ok: json(200, "{ conventions: [...] }") } },
  "/api/conventions/rules": {
    GET: { summary: "The user rules in force, from the file and saved", access: "viewer", ok: json(200, "{ rules: [...], changes: [...], error }") },
    POST: { summary: "Save a user rule", access: "admin", body: ruleSchema, ok: json(201, "{ action, rule } (200 when it replaced one)"), errors: ["conflict"] },
  },
  "/api/conventions/rules/[name]": {
    GET: { summary: "One rule and its changes", access: "viewer", params: { name: ruleNameSchema }, ok: json(200, "{ rule, changes: [...] }"), errors: ["not_found"] },
    DELETE: { summary: "Delete a saved rule", access: "admin", params: { name: ruleNameSchema }, ok: json(200, "{ deleted: name }"), errors: ["not_found", "conflict"] },
  },
  "/api/conventions/state": { GET: { summary: "When the rules last changed, for tabs to reload them", access: "viewer", ok: json(200, "{ state }") } },
  "/api/delivery": { GET: { summary: "Received, lost and duplicate messages from seq, by QoS", access: "viewer", query: deliveryQuery, ok: json(200, "{ received, lost, duplicates, byQos }"), errors: ["not_found"] } },
  "/api/devices": { GET: { summary: "Every device", access: "viewer", ok: json(200, "{ devices: [...] }") } },
  "/api/devices/[id]": { GET: { summary: "One device, its latest values and commands", access: "viewer", params: { id: deviceIdParam }, ok: json(200, "the device"), errors: ["not_found"] } },
  "/api/devices/[id]/status": { GET: { summary: "A device's online/offline history", access: "viewer", params: { id: deviceIdParam }, query: statusQuery, ok: json(200, "the status history") } },
  "/api/health": { GET: { summary: "Each part's status (details with a session)", access: "public", ok: json(200, "{ status: \"ok\", broker, store, bridge, ... }; 503 with the same shape naming the part that is down") } },
  "/api/export": {
    GET: { summary: "A window of stored messages, streamed: JSONL of raw messages or CSV of series", access: "viewer", query: exportQuery, ok: { status: 200, description: "JSONL lines { ts, topic, qos, retain, payload, encoding } or CSV ts,time,device,topic,field,value; X-Fleetscope-Export-Estimate: the window's message count", media: "application/x-ndjson" } },
  },
  "/api/messages": { GET: { summary: "Stored messages by topic filter, paged", access: "viewer", query: messagesQuery, ok: json(200, "{ messages: [...], next }") } },
  "/api/metrics": { GET: { summary: "This process's metrics", access: "public", ok: { status: 200, description: "Prometheus text format 0.0.4", media: "text/plain" } } },
  "/api/openapi.json": { GET: { summary: "This document", access: "public", ok: json(200, "OpenAPI 3.1") } },
  "/api/series": { GET: { summary: "A field's time series in at most `points` buckets, computed in the store", access: "viewer", query: seriesQuery, ok: json(200, "{ device, field, bucketMs, points: [...] }"), errors: ["not_found"] } },
  "/api/snapshot": {
    GET: { summary: "The fleet and the topics' last messages as they were at an instant", access: "viewer", query: snapshotQuery, ok: json(200, "{ at, devices: [...], topics: { count, items: [...], next } }") },
  },
  "/api/silences": {
    GET: { summary: "Silences", access: "viewer", query: silencesQuery, ok: json(200, "{ silences: [...] }") },
    POST: { summary: "Silence the alerts some matchers match", access: "operator", body: silenceBodySchema, serverKeys: ["createdBy"], ok: json(201, "the silence") },
  },
  "/api/silences/[id]": { DELETE: { summary: "End a silence", access: "operator", params: { id: silenceIdParam }, ok: json(200, "{ expired: id }"), errors: ["not_found"] } },
  "/api/trace": { GET: { summary: "Live packets and QoS flows", access: "viewer", query: traceQuery, ok: { status: 200, description: "Server-Sent Events, one JSON packet per data: line", media: "text/event-stream" } } },
  "/api/users": {
    GET: { summary: "The users", access: "admin", ok: json(200, "{ users: [...] }") },
    POST: { summary: "Add a user", access: "admin", body: newUserBody, ok: json(201, "the user"), errors: ["conflict"] },
  },
  "/api/users/[username]": {
    PATCH: { summary: "Change a user's role, password or disabled flag", access: "admin", params: { username: usernameSchema }, body: userPatchBody, ok: json(200, "the user"), errors: ["not_found", "conflict"] },
  },
};
