/**
 * Every route file under app/api, as its URL pattern (Next's folder names). The OpenAPI document
 * has one entry per pattern (lib/http/openapi/) and request timings are labelled by them; a test
 * walks app/api so the list cannot fall behind the folder.
 */
export const API_ROUTES = [
  "/api/[...path]",
  "/api/alert-rules",
  "/api/alert-rules/[id]",
  "/api/alert-rules/preview",
  "/api/alerts",
  "/api/alerts/[id]",
  "/api/alerts/[id]/ack",
  "/api/auth/broker-token",
  "/api/auth/login",
  "/api/auth/logout",
  "/api/auth/me",
  "/api/auth/setup",
  "/api/captures",
  "/api/captures/[id]",
  "/api/captures/[id]/file",
  "/api/captures/[id]/flows",
  "/api/captures/[id]/packets",
  "/api/commands",
  "/api/commands/[id]",
  "/api/conventions",
  "/api/conventions/rules",
  "/api/conventions/rules/[name]",
  "/api/conventions/state",
  "/api/delivery",
  "/api/devices",
  "/api/devices/[id]",
  "/api/devices/[id]/status",
  "/api/export",
  "/api/health",
  "/api/messages",
  "/api/metrics",
  "/api/openapi.json",
  "/api/series",
  "/api/silences",
  "/api/snapshot",
  "/api/silences/[id]",
  "/api/trace",
  "/api/users",
  "/api/users/[username]",
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];

/** Static segments win over dynamic ones and the catch-all comes last, as Next routes them. */
const MATCHERS = API_ROUTES.map((route) => {
  const source = route.replace(/\[\.\.\.[^\]]+\]/g, ".+").replace(/\[[^\]]+\]/g, "[^/]+");
  const rank = route.includes("[...") ? 2 : route.includes("[") ? 1 : 0;
  return { route, rank, re: new RegExp(`^${source}$`) };
}).sort((a, b) => a.rank - b.rank);

/**
 * The label a request is counted under: its API route pattern, `static` for Next's assets, `page`
 * for the rest. Never the path itself: ids and unknown paths would make the label unbounded.
 */
export function routeLabel(url: string): ApiRoute | "static" | "page" {
  const path = url.split("?")[0]!;
  if (path.startsWith("/_next/")) return "static";
  if (path !== "/api" && !path.startsWith("/api/")) return "page";
  return MATCHERS.find((m) => m.re.test(path))?.route ?? "/api/[...path]";
}
