/**
 * The TCP peer's address, as the server saw it. server.ts's HTTP handler sets this header on
 * every request after deleting any copy a client sent, so a route handler can trust it (the login
 * limiter counts per address). Behind a reverse proxy this is the proxy's address.
 */
export const PEER_HEADER = "x-fleetscope-peer";

export const peerAddress = (headers: Headers) => headers.get(PEER_HEADER) ?? "unknown";
