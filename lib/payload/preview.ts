/** A one-line glimpse of a payload for lists: text as text, anything binary as its size. */
import type { BoundedPayload } from "./bounded";

const PREVIEW_BYTES = 120;
const decoder = new TextDecoder();

export function payloadPreview(p: BoundedPayload): string {
  const text = decoder.decode(p.bytes.subarray(0, PREVIEW_BYTES));
  if (text.includes("\uFFFD") || /[\u0000-\u0008\u000e-\u001f]/.test(text)) return `<${p.size} bytes>`;
  return p.size === 0 ? "(empty)" : text.replace(/\s+/g, " ");
}
