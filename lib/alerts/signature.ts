/**
 * The HMAC-SHA256 signature of a webhook body, sent when a secret is set, in the form GitHub's
 * webhooks made familiar (`X-Fleetscope-Signature-256: sha256=<hex>`), so a receiver verifies it
 * with the code it already has. It signs the exact bytes POSTed: sign the string you send.
 * Node only (node:crypto); the rest of lib/alerts is runtime-neutral.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Fleetscope-Signature-256";
const PREFIX = "sha256=";

export function signBody(secret: string, body: string | Uint8Array): string {
  return PREFIX + createHmac("sha256", secret).update(body).digest("hex");
}

/** Whether `header` is the signature of `body` under `secret`, compared in constant time. */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  if (!header || !header.startsWith(PREFIX)) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
