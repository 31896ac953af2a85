/**
 * A field's live points, bounded to LIVE_POINTS, as an immutable value that appends in constant
 * time and allocates no object per point. The overview holds a series per field for a thousand
 * devices: as arrays of point objects that was some 700,000 objects alive at once, and each
 * message copied its field's whole array (60 MB/s at 10,000 msgs/s), so the collector was always
 * promoting and marking them, and its pauses were the overview's long tasks (Chromium trace).
 *
 * Points live in a shared buffer of numbers (time, value, seq; NaN for no seq). A series is a
 * window [start, end) of it. Appending to the newest window writes past its end, where no
 * existing window looks, and returns a new window; appending to any other window (an older state
 * appended to again) or to a full buffer copies the last points into a new buffer first. So a
 * series, once returned, never changes: old states stay valid however the new ones grow.
 */

/** Points kept per field for the live charts: one minute at the demo rate of 2 Hz, doubled. */
export const LIVE_POINTS = 240;
/**
 * A full-grown buffer holds LIVE_POINTS plus between a quarter and three quarters of that again
 * (the next append past it copies the newest points into a new one: every LIVE_POINTS / 2
 * appends on average). How much more, each copy draws afresh from an even spread. A fleet's
 * series start together and run at one rate, so with one capacity they filled together too:
 * every 12 s each of the overview's 3,000 series copied within the same few frames (8.6 kB and
 * some 13 µs a copy), and those frames and the collections after them were its long tasks.
 */
const SPARE_MIN = LIVE_POINTS / 4;
const SPARE_SPREAD = LIVE_POINTS / 2;
/**
 * Points a new series' first buffer holds at least (up to twice that, drawn like the spare
 * above); each copy about doubles it (2 to 3 times what it keeps) until it is full-grown. A
 * fleet's series all start at once when it appears: 3,000 full buffers in one frame were 26 MB
 * allocated and zeroed together, and the collections that followed (a trace of the overview).
 */
const FIRST_CAPACITY = 8;
/**
 * Where in its range the next capacity falls: a Weyl sequence (multiples of the golden ratio,
 * mod 1), so copies that come one after another, of different series, land far apart. It only
 * decides when a buffer is copied, never what a series holds.
 */
let draw = 0;
const nextDraw = () => (draw = (draw + 0.6180339887498949) % 1);

function capacityFor(keep: number): number {
  const grown = LIVE_POINTS + SPARE_MIN + Math.floor(nextDraw() * SPARE_SPREAD);
  const doubled = (keep + 1) * (2 + nextDraw());
  const first = FIRST_CAPACITY + Math.floor(nextDraw() * FIRST_CAPACITY);
  return Math.min(grown, Math.max(first, Math.floor(doubled)));
}
const STRIDE = 3;

export interface Point {
  t: number;
  v: number;
  /** The message's `seq`, when it carried one: a redelivered message is recognised by it. */
  seq?: number;
}

interface Buffer {
  readonly data: Float64Array;
  /** Points written so far: the end of the newest window. */
  used: number;
}

export interface LiveSeries {
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

export const EMPTY_SERIES: LiveSeries = { buffer: { data: new Float64Array(0), used: 0 }, start: 0, end: 0 };

export function seriesLength(s: LiveSeries): number {
  return s.end - s.start;
}

export function appendPoint(s: LiveSeries, t: number, v: number, seq: number | null): LiveSeries {
  let { buffer, start, end } = s;
  if (end !== buffer.used || end === buffer.data.length / STRIDE) {
    const keep = Math.min(end - start, LIVE_POINTS - 1);
    const data = new Float64Array(capacityFor(keep) * STRIDE);
    data.set(buffer.data.subarray((end - keep) * STRIDE, end * STRIDE));
    buffer = { data, used: keep };
    start = 0;
    end = keep;
  }
  const at = end * STRIDE;
  buffer.data[at] = t;
  buffer.data[at + 1] = v;
  buffer.data[at + 2] = seq ?? Number.NaN;
  buffer.used = end + 1;
  return { buffer, start: Math.max(start, end + 1 - LIVE_POINTS), end: end + 1 };
}

/** Calls `each` with the time and value of every point, oldest first: for hot readers (sparklines). */
export function forEachPoint(s: LiveSeries, each: (t: number, v: number) => void): void {
  const { data } = s.buffer;
  for (let i = s.start * STRIDE; i < s.end * STRIDE; i += STRIDE) each(data[i]!, data[i + 1]!);
}

/** The points as objects, oldest first: for the one device a device page charts. */
export function toPoints(s: LiveSeries): Point[] {
  const { data } = s.buffer;
  const out: Point[] = [];
  for (let i = s.start * STRIDE; i < s.end * STRIDE; i += STRIDE) {
    const seq = data[i + 2]!;
    out.push(Number.isNaN(seq) ? { t: data[i]!, v: data[i + 1]! } : { t: data[i]!, v: data[i + 1]!, seq });
  }
  return out;
}
