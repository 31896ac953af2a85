/**
 * The Content-Security-Policy and the other security headers (issue 9). Scripts run only with
 * this response's nonce ('strict-dynamic' lets Next's own chunks load from them); no
 * 'unsafe-eval' in production (React's dev build needs it for its error overlays, so dev
 * allows it). Styles allow 'unsafe-inline': React's `style` attributes and Recharts set inline
 * styles, which a nonce cannot cover, and styles cannot run code. The broker's WebSocket is
 * allowed on this origin and on MQTT_WS_URL's. Pure.
 */
export interface CspOptions {
  nonce: string;
  dev: boolean;
  /** The page's own host (`localhost:3000`): its ws:// and wss:// for `/mqtt`. */
  host: string | null;
  /** MQTT_WS_URL when set: browsers connect there instead. */
  mqttWsUrl?: string;
}

export function contentSecurityPolicy(o: CspOptions): string {
  const connect = ["'self'"];
  if (o.host) connect.push(`ws://${o.host}`, `wss://${o.host}`);
  if (o.mqttWsUrl) {
    try {
      const u = new URL(o.mqttWsUrl);
      connect.push(`${u.protocol}//${u.host}`);
    } catch {
      /* validated at start; nothing to add */
    }
  }
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.join(" ")}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sent with every response (next.config.ts), pages and API alike. */
export const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // For browsers that predate frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];
