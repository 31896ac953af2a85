/**
 * Payload decoders for the topic explorer. Each knows when it applies; `autoDecoder` picks the
 * most specific one that does, and the user may override it. Payloads are untrusted bytes from
 * devices: every decoder returns plain data (text, JSON values, hex lines) that the UI shows as
 * text, and a decoder that cannot read its input says why instead of throwing.
 */
import { decodeSparkplug, isSparkplugTopic } from "./sparkplug";

export const DECODER_IDS = ["sparkplug", "json", "number", "text", "base64", "hex"] as const;
export type DecoderId = (typeof DECODER_IDS)[number];

export const DECODER_LABELS: Record<DecoderId, string> = {
  sparkplug: "Sparkplug B",
  json: "JSON",
  number: "Number",
  text: "UTF-8 text",
  base64: "Base64",
  hex: "Hex",
};

/** Hex dumps past this many bytes are cut (and say so): 4 KiB is 256 lines already. */
export const MAX_HEX_BYTES = 4096;

export type Decoded =
  | { kind: "json"; value: unknown }
  | { kind: "number"; value: number }
  | { kind: "text"; text: string }
  | { kind: "hex"; lines: string[]; cut: boolean }
  | { kind: "error"; message: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** UTF-8 that reads as text: no control characters other than tab, CR and LF. */
export function readableText(bytes: Uint8Array): string | null {
  const s = utf8(bytes);
  return s !== null && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? s : null;
}

const NUMBER = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; reason: string } {
  const s = utf8(bytes);
  if (s === null) return { ok: false, reason: "not UTF-8" };
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export function base64ToBytes(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || !BASE64.test(compact)) return null;
  const bin = atob(compact);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `offset  hex bytes  |printable|`, 16 bytes a line, as `hexdump -C` prints. */
export function hexDump(bytes: Uint8Array, max = MAX_HEX_BYTES): { lines: string[]; cut: boolean } {
  const n = Math.min(bytes.byteLength, max);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return { lines, cut: bytes.byteLength > max };
}

interface Decoder {
  applies(bytes: Uint8Array, topic: string): boolean;
  decode(bytes: Uint8Array, topic: string): Decoded;
}

const DECODERS: Record<DecoderId, Decoder> = {
  sparkplug: {
    applies: (bytes, topic) => isSparkplugTopic(topic) && decodeSparkplug(bytes).ok,
    decode: (bytes) => {
      const r = decodeSparkplug(bytes);
      return r.ok ? { kind: "json", value: r.value } : { kind: "error", message: `not a Sparkplug B payload: ${r.reason}` };
    },
  },
  json: {
    // Objects and arrays only: "42" and "true" read better as a number or text.
    applies: (bytes) => {
      const r = parseJson(bytes);
      return r.ok && typeof r.value === "object" && r.value !== null;
    },
    decode: (bytes) => {
      const r = parseJson(bytes);
      return r.ok ? { kind: "json", value: r.value } : { kind: "error", message: `not JSON: ${r.reason}` };
    },
  },
  number: {
    applies: (bytes) => bytes.byteLength < 64 && NUMBER.test(utf8(bytes) ?? ""),
    decode: (bytes) => {
      const s = utf8(bytes) ?? "";
      return NUMBER.test(s) ? { kind: "number", value: Number(s) } : { kind: "error", message: "not a number" };
    },
  },
  text: {
    applies: (bytes) => readableText(bytes) !== null,
    decode: (bytes) => {
      const s = utf8(bytes);
      return s !== null ? { kind: "text", text: s } : { kind: "error", message: "not valid UTF-8" };
    },
  },
  base64: {
    // Never chosen on its own: too many short words are valid base64.
    applies: () => false,
    decode: (bytes) => {
      const decoded = base64ToBytes(utf8(bytes) ?? "");
      if (!decoded) return { kind: "error", message: "not base64" };
      const text = readableText(decoded);
      return text !== null ? { kind: "text", text } : { kind: "hex", ...hexDump(decoded) };
    },
  },
  hex: {
    applies: () => true,
    decode: (bytes) => ({ kind: "hex", ...hexDump(bytes) }),
  },
};

/** The most specific decoder that applies; hex always does. An empty payload reads as text. */
export function autoDecoder(bytes: Uint8Array, topic: string): DecoderId {
  if (bytes.byteLength === 0) return "text";
  return DECODER_IDS.find((id) => DECODERS[id].applies(bytes, topic)) ?? "hex";
}

export function decodePayload(bytes: Uint8Array, topic: string, override?: DecoderId): { decoder: DecoderId; result: Decoded } {
  const decoder = override ?? autoDecoder(bytes, topic);
  return { decoder, result: DECODERS[decoder].decode(bytes, topic) };
}

/** The payload as comparable text lines, for the diff view. */
export function payloadLines(result: Decoded): string[] {
  switch (result.kind) {
    case "json":
      return JSON.stringify(result.value, null, 2).split("\n");
    case "number":
      return [String(result.value)];
    case "text":
      return result.text.split("\n");
    case "hex":
      return result.lines;
    case "error":
      return [result.message];
  }
}

/** Numeric leaves of a decoded payload by path ("joints.0", "temp"), for the topic chart. */
export function numericLeaves(result: Decoded): Record<string, number> {
  const out: Record<string, number> = {};
  if (result.kind === "number") out.value = result.value;
  if (result.kind !== "json") return out;
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 8) return;
    if (typeof v === "number" && Number.isFinite(v)) out[path || "value"] = v;
    else if (typeof v === "object" && v !== null) {
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(result.value, "", 0);
  return out;
}
