/**
 * The path and query of the page being rendered, set on the request by proxy.ts (after removing
 * any copy a client sent): the root layout has no other way to know where to send a user back to
 * after logging in.
 */
export const PATH_HEADER = "x-fleetscope-path";

/** `/login?next=<path>`, for paths on this site only (never `//evil.example`). */
export function loginUrl(path: string | null): string {
  return path && safeNext(path) !== "/" ? `/login?next=${encodeURIComponent(path)}` : "/login";
}

/** Where a login may send the user: a path on this site, else `/`. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/login")) return "/";
  return next;
}
