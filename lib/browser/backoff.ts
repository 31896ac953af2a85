/** Reconnect delays: 1 s, doubling per failed attempt, at most 30 s [a broker restart usually takes seconds]. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 30_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt));
}
