/**
 * The sliding windows behind rate, loss and count rules, as plain JSON-ready data (arrays of
 * numbers) that the evaluator owns and these functions mutate in place: the bridge feeds every
 * message through them, so no copy per message. Each is bounded by a named constant however fast
 * a device publishes, at the cost of resolution, never of the window's span. Pure.
 */

/** A rate window keeps samples about windowMs / MAX_RATE_SAMPLES apart: at most 2 × this + 2 of them. */
export const MAX_RATE_SAMPLES = 120;
/** Buckets a loss window is cut into: its counts are exact, its edge is one bucket coarse. */
export const LOSS_BUCKETS = 60;

/** [time, value]. */
export type RateSample = [number, number];

/**
 * Adds a sample at `t`, thinning them to about windowMs / MAX_RATE_SAMPLES apart (a newer one
 * replaces the newest until it is that far past the one before, so the newest value is always
 * there) and dropping those that left the window. False for a sample older than the newest:
 * rates read forwards.
 */
export function pushRateSample(samples: RateSample[], t: number, v: number, windowMs: number): boolean {
  const newest = samples.at(-1);
  if (newest && t < newest[0]) return false;
  const spacing = windowMs / MAX_RATE_SAMPLES;
  const kept = samples.at(-2);
  if (newest && kept && t - kept[0] < spacing) samples[samples.length - 1] = [t, v];
  else samples.push([t, v]);
  let drop = 0;
  while (drop < samples.length - 1 && samples[drop]![0] < t - windowMs) drop++;
  if (drop > 0) samples.splice(0, drop);
  return true;
}

/** Change per second from the oldest to the newest sample in the window; null with fewer than two, or none apart in time. */
export function rateOf(samples: readonly RateSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last[0] <= first[0]) return null;
  return (last[1] - first[1]) / ((last[0] - first[0]) / 1000);
}

/** [bucket start, received, lost]; `lost` may go down when a late message fills a gap. */
export type LossBucket = [number, number, number];

export function addLoss(buckets: LossBucket[], t: number, received: number, lost: number, windowMs: number): void {
  const width = Math.max(1, Math.ceil(windowMs / LOSS_BUCKETS));
  const start = Math.floor(t / width) * width;
  const last = buckets.at(-1);
  if (last && last[0] === start) {
    last[1] += received;
    last[2] += lost;
  } else if (!last || start > last[0]) buckets.push([start, received, lost]);
  else {
    // Out of order across a bucket edge: counted in the newest bucket, a bucket's width late at most.
    last[1] += received;
    last[2] += lost;
  }
  trimBuckets(buckets, t, windowMs, width);
}

function trimBuckets(buckets: LossBucket[], now: number, windowMs: number, width: number) {
  let drop = 0;
  while (drop < buckets.length && buckets[drop]![0] + width <= now - windowMs) drop++;
  if (drop > 0) buckets.splice(0, drop);
}

export interface LossFigures {
  received: number;
  lost: number;
  /** lost / (received + lost) × 100, null when nothing was expected. */
  percent: number | null;
}

/** The window's figures as of `now` (buckets that ended before the window count no more). */
export function lossOf(buckets: readonly LossBucket[], now: number, windowMs: number): LossFigures {
  const width = Math.max(1, Math.ceil(windowMs / LOSS_BUCKETS));
  let received = 0;
  let lost = 0;
  for (const [start, r, l] of buckets) {
    if (start + width <= now - windowMs) continue;
    received += r;
    lost += l;
  }
  lost = Math.max(0, lost);
  const expected = received + lost;
  return { received, lost, percent: expected === 0 ? null : (lost / expected) * 100 };
}

/** Adds an event time, oldest first; keeps the newest `cap` (a count rule needs no more than its threshold). */
export function addEvent(events: number[], t: number, cap: number): void {
  let i = events.length;
  while (i > 0 && events[i - 1]! > t) i--;
  events.splice(i, 0, t);
  if (events.length > cap) events.splice(0, events.length - cap);
}

/** Events in (now − windowMs, now]; drops those that left. */
export function countEvents(events: number[], now: number, windowMs: number): number {
  let drop = 0;
  while (drop < events.length && events[drop]! <= now - windowMs) drop++;
  if (drop > 0) events.splice(0, drop);
  let n = 0;
  for (const t of events) if (t <= now) n++;
  return n;
}

/** When the oldest event leaves the window, and the count may change without any new event. */
export const nextEventExpiry = (events: readonly number[], windowMs: number): number | null => (events.length ? events[0]! + windowMs : null);
