/**
 * The demo fleet convention (DESIGN.md): `fleet/<site>/<deviceId>/<kind>[/...]`.
 * Pure parsing of topic and payload; the bridge and the browser both use it.
 */
import type { DeviceId, DeviceStatus } from "./model";

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
export function parseJsonObject(payload: string): JsonObject | null {
  const first = payload.trimStart()[0];
  if (first !== "{") return null; // skip the exception path for the common non-JSON payloads
  try {
    const parsed: unknown = JSON.parse(payload);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as JsonObject) : null;
  } catch {
    return null;
  }
}

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
