/**
 * Times as people read them. A capture's clock has microseconds, so its times and handshake
 * latencies are fractions of a millisecond: shown to three significant digits below 100 ms
 * (0.355, 7.9), whole above, never as the float's every digit.
 */

/** A duration in milliseconds, without its unit. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  const abs = Math.abs(ms);
  if (abs >= 100 || Number.isInteger(ms)) return String(Math.round(ms));
  return String(Number(ms.toPrecision(3)));
}

/** A moment as a wall-clock time with its milliseconds, `HH:MM:SS.mmm`. */
export function clockTime(t: number): string {
  return new Date(t).toLocaleTimeString(undefined, { hour12: false }) + "." + String(Math.floor(t) % 1000).padStart(3, "0");
}
