/**
 * Sparkplug B payloads (protobuf, Eclipse Tahu's schema) through Tahu's own npm package, turned
 * into plain JSON values: 64-bit integers become numbers when exact, else decimal strings, and
 * bytes become hex, so the explorer shows them as it shows any JSON.
 */
import { get } from "sparkplug-payload";

const codec = get("spBv1.0")!;

/** `spBv1.0/<group>/<NBIRTH|NDATA|DBIRTH|…>/<edge node>[/<device>]` [tck-id-topic-structure]. */
export function isSparkplugTopic(topic: string): boolean {
  return topic.startsWith("spBv1.0/") && !topic.startsWith("spBv1.0/STATE/");
}

export function decodeSparkplug(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: plain(codec.decodePayload(bytes), 0) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

function plain(v: unknown, depth: number): unknown {
  if (depth > 32) return "…";
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join(" ");
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = plain(x, depth + 1);
    return out;
  }
  return v;
}

/** protobufjs's 64-bit integers (the `long` package's Long), recognised by shape. */
function isLong(v: unknown): v is { toNumber(): number; toString(): string } {
  return typeof v === "object" && v !== null && "low" in v && "high" in v && "unsigned" in v && typeof (v as { toNumber?: unknown }).toNumber === "function";
}
