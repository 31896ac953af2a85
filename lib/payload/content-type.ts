/**
 * The decoder a message asks for: MQTT 5 lets the publisher say what its payload is, with a
 * Content Type (a MIME type, MQTT 5.0 §3.3.2.3.9) and a Payload Format Indicator (1: UTF-8
 * text, §3.3.2.3.2). When it says, the explorer reads the payload that way (and a payload that
 * is not what it claims shows as that decoder's error); otherwise it guesses from the bytes.
 */
import { autoDecoder, type DecoderId } from "./decoders";

export interface DeclaredFormat {
  contentType?: string;
  payloadFormatIndicator?: 0 | 1;
}

export interface DecoderChoice {
  decoder: DecoderId;
  /** What picked it: the Content Type, the Payload Format Indicator, or the bytes themselves. */
  by: "content type" | "payload format" | "payload";
}

/** The decoder a MIME type names, or undefined for one the explorer has no reader for. */
export function contentTypeDecoder(contentType: string | undefined): DecoderId | undefined {
  if (!contentType) return undefined;
  // "Application/JSON; charset=utf-8" is application/json: types are case-insensitive, parameters aside.
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "text/json" || /^application\/[^/]+\+json$/.test(type)) return "json";
  if (type.startsWith("text/")) return "text";
  if (type === "application/octet-stream") return "hex";
  return undefined;
}

export function chooseDecoder(bytes: Uint8Array, topic: string, declared?: DeclaredFormat): DecoderChoice {
  const byType = contentTypeDecoder(declared?.contentType);
  if (byType) return { decoder: byType, by: "content type" };
  const guessed = autoDecoder(bytes, topic);
  // Format 1 says UTF-8 (MQTT 5.0 §3.3.2.3.2): JSON and numbers are text too, but bytes the guess
  // would dump as hex are read as the text they claim to be (or shown not to be).
  if (declared?.payloadFormatIndicator === 1 && (guessed === "hex" || guessed === "sparkplug")) return { decoder: "text", by: "payload format" };
  return { decoder: guessed, by: "payload" };
}
