/**
 * Command requests and replies on the wire (the demo convention: docs/architecture.md): a request is
 * `{id, args}` on `fleet/<site>/<device>/cmd/<name>`, a reply `{id, ok, result|error}` on
 * `…/cmd/<name>/reply`. On MQTT 5 the request also carries a Response Topic (that same reply
 * topic) and Correlation Data (the id), and a reply's Correlation Data names its command even when
 * the payload does not. Pure: devices are untrusted, so every reply is parsed defensively.
 */
import { parseDemoTopic } from "../devices/conventions/demo";
import type { Args } from "../devices/command-args";

export const commandTopic = (site: string, device: string, name: string) => `fleet/${site}/${device}/cmd/${name}`;
export const replyTopicOf = (commandTopic: string) => `${commandTopic}/reply`;
/** Every demo device's replies. */
export const REPLY_FILTER = "fleet/+/+/cmd/+/reply";

export const requestPayload = (id: string, args: Args) => JSON.stringify({ id, args });

export interface Reply {
  device: string;
  name: string;
  /** From Correlation Data when present, else from the payload. */
  id: string | null;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const MAX_ID = 200;
const MAX_ERROR = 2000;
/** NUL cannot live in PostgreSQL text, and has no business in an id or a message. */
const clean = (s: string) => s.replace(/\u0000/g, "\uFFFD");
/** A result is kept whole up to this much JSON; past it, its head, marked truncated. */
export const MAX_RESULT_JSON = 16 * 1024;

function cleanResult(result: unknown): unknown {
  if (result === undefined) return undefined;
  const json = JSON.stringify(result).replace(/\\u0000/g, "\\ufffd");
  if (json.length > MAX_RESULT_JSON) return { truncated: true, head: json.slice(0, 1024) };
  return JSON.parse(json) as unknown;
}

/** A reply on a reply topic, or null when the topic is not one. A broken payload is a failed reply with no id. */
export function parseReply(topic: string, payload: Buffer, correlationData?: Buffer): Reply | null {
  const t = parseDemoTopic(topic);
  if (!t || t.kind !== "cmd" || t.rest.length !== 2 || t.rest[1] !== "reply") return null;
  const base = { device: t.device as string, name: t.rest[0]! };
  const fromCorrelation = correlationData && correlationData.length > 0 && correlationData.length <= MAX_ID ? clean(correlationData.toString("utf8")) : null;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch {
    return { ...base, id: fromCorrelation, ok: false, error: "the reply is not JSON" };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { ...base, id: fromCorrelation, ok: false, error: "the reply is not a JSON object" };
  const b = body as Record<string, unknown>;
  const id = fromCorrelation ?? (typeof b.id === "string" && b.id.length <= MAX_ID ? clean(b.id) : null);
  if (b.ok === true) return { ...base, id, ok: true, result: cleanResult(b.result) };
  const error = typeof b.error === "string" ? clean(b.error.length > MAX_ERROR ? `${b.error.slice(0, MAX_ERROR)}… (cut: ${b.error.length} characters)` : b.error) : b.ok === false ? "the device said it failed" : "the reply has no ok: true|false";
  return { ...base, id, ok: false, error };
}
