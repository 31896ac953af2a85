/**
 * Playback's schedule, pure: the stored messages after the cursor, in receipt order, are applied
 * when a clock running `speed` times faster than the wall clock reaches their receipt times. The
 * player asks, at each tick, which messages are due and whether to fetch the next page; the
 * answers depend only on what it passes in, so they are tested without timers.
 */

import type { Speed } from "../state/past-view";

/** When playback (re)started: the stored time then, and the wall time then. */
export interface PlayClock {
  fromAt: number;
  fromWall: number;
  speed: number;
}

/** Fetch the next page while fewer than this many messages wait to be applied... */
export const LOW_WATER = 500;
/** ...or while those waiting cover less than this much wall time at the speed played. */
export const LEAD_WALL_MS = 5_000;

/** The stored time the clock stands at, at wall time `wall`. */
export function clockAt(clock: PlayClock, wall: number): number {
  return clock.fromAt + Math.max(0, wall - clock.fromWall) * clock.speed;
}

/** Index of the first message in `queue` (sorted by ts) after `at`, searching from `start`. */
export function dueUntil(queue: readonly { ts: number }[], start: number, at: number): number {
  let lo = start;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queue[mid]!.ts <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Tick {
  /** Apply queue[applied .. end). */
  end: number;
  /** Where the cursor stands now. */
  at: number;
  /** Whether to ask for the next page (none is in flight and the store may have more). */
  fetch: boolean;
  /** The clock reached `until`, the present: nothing is left to play. */
  done: boolean;
}

/**
 * One tick: what is due at `wall`, where the cursor goes, and whether more is needed. `until` is
 * the present (the cursor never passes it); `exhausted` says the store has nothing after the queue.
 */
export function tick(
  queue: readonly { ts: number }[],
  applied: number,
  clock: PlayClock,
  wall: number,
  source: { exhausted: boolean; fetching: boolean; until: number },
): Tick {
  const at = Math.min(clockAt(clock, wall), source.until);
  const end = dueUntil(queue, applied, at);
  const waiting = queue.length - end;
  const last = queue[queue.length - 1];
  // The wall time the waiting messages last at this speed: a fetch ahead of need, and no sooner.
  const aheadWallMs = last ? (last.ts - at) / clock.speed : 0;
  const fetch = !source.exhausted && !source.fetching && (waiting < LOW_WATER || aheadWallMs < LEAD_WALL_MS);
  // Caught up with the queue while a page is on its way: hold the cursor at the last message
  // applied rather than run past messages not yet fetched.
  const starved = waiting === 0 && !source.exhausted;
  const held = starved ? Math.min(at, Math.max(last?.ts ?? clock.fromAt, clock.fromAt)) : at;
  return { end, at: held, fetch, done: at >= source.until };
}

/** One step: the next message after `at` is due, the cursor moves to its time; none, a second on. */
export function stepTarget(next: { ts: number } | undefined, at: number, until: number): number {
  return Math.min(next ? next.ts : at + 1000, until);
}
