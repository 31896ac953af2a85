/**
 * The client's address, as the server saw it. server.ts's HTTP handler sets PEER_HEADER on every
 * request after deleting any copy a client sent, so a route handler can trust it (the login
 * limiter counts per address). It is the TCP peer's address, or, when that peer is one of the
 * reverse proxies named in FLEETSCOPE_TRUSTED_PROXIES, the address those proxies forwarded.
 */
import { isIP } from "node:net";

export const PEER_HEADER = "x-fleetscope-peer";

export const peerAddress = (headers: Headers) => headers.get(PEER_HEADER) ?? "unknown";

/** One spelling per address: an IPv4 client on a dual-stack socket reads `::ffff:10.0.0.1`. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(a) ? a.slice(7) : a;
}

/**
 * The address a request came from, given its TCP peer's (`socket`) and its X-Forwarded-For, in
 * the one spelling of normalizeAddress. A peer that is not a trusted proxy is the client. Through
 * trusted proxies, the header is read from the right, where each proxy appended the address it
 * saw, up to the first address that is not a trusted proxy: what lies left of that, the client
 * wrote itself.
 */
export function clientAddress(socket: string, forwardedFor: string | undefined, trusted: ReadonlySet<string>): string {
  let client = normalizeAddress(socket);
  if (!forwardedFor || !trusted.has(client)) return client;
  const hops = forwardedFor.split(",").map(normalizeAddress);
  for (let i = hops.length - 1; i >= 0 && trusted.has(client); i--) {
    // Proxies append bare addresses; anything else (an empty entry, a port, a name) ends the walk
    // at the last proxy, as if the header stopped there.
    if (isIP(hops[i]!) === 0) break;
    client = hops[i]!;
  }
  return client;
}
