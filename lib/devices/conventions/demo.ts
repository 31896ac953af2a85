/**
 * The demo fleet convention (docs/architecture.md): `fleet/<site>/<deviceId>/<kind>[/...]`,
 * the layout the simulator speaks. Device ids are the `<deviceId>` level as it is.
 */
import type { DeviceId, DeviceStatus } from "../model";
import { jsonObjectOf, type Convention, type DeviceEventFact, type DeviceFacts, type Interpretation } from "../convention";

export const DEMO_ROOT = "fleet";

export type DemoKind = "telemetry" | "status" | "alarm" | "log" | "cmd" | "other";

export interface DemoTopic {
  site: string;
  device: DeviceId;
  kind: DemoKind;
  /** Levels after the kind, e.g. `["move_joint", "reply"]` for `cmd/move_joint/reply`. */
  rest: string[];
}

const KINDS = new Set<DemoKind>(["telemetry", "status", "alarm", "log", "cmd"]);

export function parseDemoTopic(topic: string): DemoTopic | null {
  const levels = topic.split("/");
  if (levels.length < 4 || levels[0] !== DEMO_ROOT) return null;
  const [, site, device, kind, ...rest] = levels as [string, string, string, string, ...string[]];
  if (!site || !device) return null;
  return { site, device: device as DeviceId, kind: KINDS.has(kind as DemoKind) ? (kind as DemoKind) : "other", rest };
}

export const demoTopic = (site: string, device: string, kind: string) => `${DEMO_ROOT}/${site}/${device}/${kind}`;

/** `online` / `offline` in any case and surrounding space; anything else says nothing. */
export function parseStatus(payload: string): DeviceStatus | null {
  const s = payload.trim().toLowerCase();
  return s === "online" || s === "offline" ? s : null;
}

/** Telemetry objects nest at most this deep; deeper values are not charted. */
const MAX_DEPTH = 4;
/** A telemetry message carries at most this many numeric fields; the rest are ignored. */
export const MAX_FIELDS = 64;

export type JsonObject = Record<string, unknown>;

/** The payload as a JSON object, or null for anything else: untrusted devices send all sorts. */
export const parseJsonObject = (payload: string): JsonObject | null => jsonObjectOf(payload);

/**
 * Numeric fields of a telemetry object, flattened with dots (`joints.0`). `seq` is delivery
 * bookkeeping, not a measurement, so it is left out.
 */
export function numericFields(obj: JsonObject): Record<string, number> {
  const out: Record<string, number> = {};
  // for…in over parsed JSON (own keys only, in Object.entries' order) and no closure: the bridge
  // runs this for every telemetry message, and the entry pairs were most of its garbage.
  const walk = (value: unknown, path: string, depth: number, count: number): number => {
    if (count >= MAX_FIELDS) return count;
    if (typeof value === "number" && Number.isFinite(value)) {
      out[path] = value;
      return count + 1;
    }
    if (value !== null && typeof value === "object" && depth < MAX_DEPTH) {
      const o = value as JsonObject;
      for (const k in o) if (Object.hasOwn(o, k)) count = walk(o[k], `${path}.${k}`, depth + 1, count);
    }
    return count;
  };
  let count = 0;
  for (const k in obj) if (k !== "seq" && Object.hasOwn(obj, k)) count = walk(obj[k], k, 1, count);
  return out;
}

/** The per-device `seq` every demo JSON carries, when it is a non-negative safe integer. */
export function seqOf(obj: JsonObject | null): number | null {
  const seq = obj?.seq;
  return typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

/** What the live feed subscribes to for the demo fleet. */
export const DEMO_FILTERS = [`${DEMO_ROOT}/+/+/telemetry`, `${DEMO_ROOT}/+/+/status`, `${DEMO_ROOT}/+/+/alarm`, `${DEMO_ROOT}/+/+/log`];

/** Characters of an event's text kept; the raw message stays in the store. */
const MAX_EVENT_TEXT = 500;

/** `{level, code, msg|message}` as the arms send it; anything else as its text. */
function eventOf(kind: "alarm" | "log", json: JsonObject | null, text: string): DeviceEventFact {
  const level = typeof json?.level === "string" ? json.level.slice(0, 20) : kind === "alarm" ? "warning" : "info";
  const words = json ? [json.code, json.msg ?? json.message].filter((x) => typeof x === "string") : [];
  return { kind, level, text: (words.length ? words.join(": ") : text).slice(0, MAX_EVENT_TEXT) };
}

export const demo: Convention<null> = {
  id: "demo",
  label: "Demo fleet",
  filters: DEMO_FILTERS,
  initialState: () => null,
  claims: (topic) => topic.startsWith(`${DEMO_ROOT}/`),
  // Any topic under a device's level is the device's, whatever its kind: a hostile extra level too.
  deviceOfTopic: (topic) => parseDemoTopic(topic)?.device ?? null,
  interpret(m): Interpretation | null {
    const t = parseDemoTopic(m.topic);
    // Only the convention's own kinds describe a device; a stray level (a `/` inside a would-be
    // device id, say) must not invent one.
    if (!t || t.kind === "other") return null;
    const facts: DeviceFacts = { id: t.device, convention: "demo", name: t.device, group: t.site, seen: true };
    const out: Interpretation = { device: t.device, facts: [facts] };
    if (t.rest.length > 0) return out; // command requests and replies: the command service reads them
    if (t.kind === "status") {
      const status = m.text === null ? null : parseStatus(m.text);
      // A retained status replayed on subscribe is old news: it says what the device is, not
      // that it spoke just now.
      facts.seen = !m.retain;
      if (status) facts.liveness = { status, reason: m.retain ? `status ${status} (retained)` : `status ${status}`, since: m.ts };
      return out;
    }
    const json = parseJsonObject(m.text ?? "");
    const seq = seqOf(json);
    if (seq !== null) out.seq = { value: seq, stream: m.topic };
    if ((t.kind === "alarm" || t.kind === "log") && m.text !== null) facts.events = [eventOf(t.kind, json, m.text)];
    if (t.kind === "telemetry") {
      if (!json) {
        out.problem = m.text === null ? "too_large" : "not_json_object";
        return out;
      }
      const fields = numericFields(json);
      const measurements: NonNullable<DeviceFacts["measurements"]> = {};
      for (const f in fields) measurements[f] = { value: fields[f]!, topic: m.topic };
      facts.measurements = measurements;
      if (Object.keys(fields).length === 0) out.problem = "no_numbers";
    }
    return out;
  },
};
