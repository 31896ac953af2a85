/**
 * The overview cards' sparklines in a past view: each device's headline field over the minutes
 * before the cursor, read from the store (GET /api/series, as the device page's charts read
 * theirs), so a paused moment shows its curves instead of waiting for playback to draw them.
 */
import type { FleetStore } from "../state/fleet-store";
import { headlineOf } from "../state/live-devices";
import { LIVE_POINTS, type Point } from "../state/live-series";
import type { PastApi } from "./past-session";

/** The span a card's sparkline covers before the cursor: LIVE_POINTS at the demo fleet's 2 Hz. */
export const PAST_SPARK_MS = (LIVE_POINTS / 2) * 1000;
/** Requests in flight at once: a thousand cards must not queue a thousand requests on the server. */
const CONCURRENCY = 4;
/** Series handed to the store together: one render per group, not per device. */
const GROUP = 50;

/** The GET /api/series query of each device's sparkline, for the devices the store knows. */
export function sparklineQueries(store: FleetStore, at: number): { device: string; field: string; query: URLSearchParams }[] {
  const out: { device: string; field: string; query: URLSearchParams }[] = [];
  for (const d of store.getState().devices.values()) {
    const field = headlineOf(Object.keys(d.values));
    if (field === undefined) continue;
    const query = new URLSearchParams({ device: d.id, field, from: String(Math.max(0, at - PAST_SPARK_MS)), to: String(at), points: String(LIVE_POINTS) });
    out.push({ device: d.id, field, query });
  }
  return out;
}

/**
 * Fills the sparklines; a device whose series cannot be read keeps an empty one (its card says
 * it waits for data, as live), and the first such error is returned for the view to say.
 */
export async function loadPastSparklines(store: FleetStore, at: number, api: Pick<PastApi, "getSeries">, signal: AbortSignal): Promise<string | null> {
  const queries = sparklineQueries(store, at);
  let next = 0;
  let failure: string | null = null;
  let pending: { device: string; field: string; points: Point[] }[] = [];
  const flush = () => {
    if (pending.length > 0) store.getState().loadSeries(pending);
    pending = [];
  };
  const worker = async () => {
    while (next < queries.length && !signal.aborted) {
      const q = queries[next++]!;
      try {
        const body = await api.getSeries(q.query, signal);
        pending.push({ device: q.device, field: q.field, points: body.points.filter((b) => b.t <= at).map((b) => ({ t: b.t, v: b.avg })) });
        if (pending.length >= GROUP) flush();
      } catch (err) {
        if (signal.aborted) return;
        failure ??= `sparkline of ${q.device}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (!signal.aborted) flush();
  return failure;
}
