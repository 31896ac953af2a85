/**
 * The CSRF rule (docs/architecture.md, "Stable interfaces"): a state-changing request whose `Origin` header is present and is
 * not this server's origin is refused; one without `Origin` (scripts, CLIs) is allowed and
 * authenticates like any other. Browsers always send Origin on cross-site POST/PUT/PATCH/DELETE,
 * and the session cookie is SameSite=Lax besides. Pure.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isStateChanging = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/**
 * This server's origin as the browser saw it: the Host header with the scheme the request came
 * over (`x-forwarded-proto` from a TLS-terminating proxy, else the URL's).
 */
export function serverOrigin(headers: Headers, url: string): string | null {
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return null;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || new URL(url).protocol.replace(/:$/, "");
  return `${proto}://${host}`.toLowerCase();
}

export function crossOriginRefused(method: string, origin: string | null, own: string | null): boolean {
  if (!isStateChanging(method) || origin === null) return false;
  // "null" (sandboxed frames, some redirects) is not this server either.
  return own === null || origin.toLowerCase() !== own;
}

export const servedOverHttps = (headers: Headers, url: string) => serverOrigin(headers, url)?.startsWith("https://") ?? false;
