/**
 * What the tab knows of the past it shows, held in the fleet store beside the devices it
 * describes: the cursor, how the snapshot at it loaded, and whether playback moves it.
 */
/** The playback speeds offered; 1× replays the original gaps between messages. */
export const SPEEDS = [1, 10, 60] as const;
export type Speed = (typeof SPEEDS)[number];

export interface PastView {
  /** The moment asked for (the URL's `at`). */
  at: number;
  /** Where the view stands: `at`, or later while playing. */
  cursor: number;
  /** The snapshot at `at`: loading, loaded, or why not. */
  state: "loading" | "loaded" | "error";
  error: string | null;
  /** Topics matching the view as of `at`, and how many the tab holds (fewer when capped). */
  topics: { count: number; loaded: number } | null;
  /** Playing at this speed, or null when still. */
  playing: Speed | null;
  /** Why playback stopped on its own (the present reached, a page that failed), if it did. */
  stopped: string | null;
  /** Why some cards' sparklines could not be read from the store, if they could not. */
  sparklines: string | null;
}

export function pastAt(at: number): PastView {
  return { at, cursor: at, state: "loading", error: null, topics: null, playing: null, stopped: null, sparklines: null };
}

/** The smallest step a past chart's window moves by while playing. */
const MIN_WINDOW_STEP_MS = 5_000;

/**
 * The end of a past view's charts: the moment asked for, moved on by whole steps (a twentieth of
 * the range, at least 5 s) as playback moves the cursor, so charts follow playback without asking
 * the store again every frame.
 */
export function pastWindowEnd(at: number, cursor: number, rangeMs: number): number {
  const step = Math.max(MIN_WINDOW_STEP_MS, Math.round(rangeMs / 20));
  return cursor <= at ? at : at + Math.ceil((cursor - at) / step) * step;
}
