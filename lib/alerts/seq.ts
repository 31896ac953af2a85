/**
 * What one `seq` says about loss, message by message, for the loss rule's window. It reads a
 * counter the way the live counter (lib/qos/seq-gaps.ts) and the store (lib/store/delivery.ts)
 * do, so the three agree on what is lost:
 *   - the next value, or a jump ahead of n: received, n − 1 lost;
 *   - a value already seen recently: a duplicate, neither received nor lost;
 *   - a value below the highest not seen recently: a late arrival that fills a gap (one less lost);
 *   - a fall back to the counter's start (0 or 1) or by SEQ_WINDOW or more, or a restart the
 *     convention announced (a Sparkplug NBIRTH): a new run, nothing lost for the jump;
 *   - a wrapping counter (Sparkplug's 0..255) is unwrapped first, each step read as the nearest
 *     one (255 → 0 is +1, 6 → 5 is −1), and falls back only by an announced restart.
 * Unlike the live counter its memory is a short list of numbers, so it travels in the
 * evaluator's JSON snapshot; duplicates are told apart within the last RECENT_SEQS values.
 */
import { SEQ_WINDOW } from "../qos/seq-gaps";

export const RECENT_SEQS = 64;
/** The values a counter starts from: falling back to one is a restart. */
const COUNTER_START = 1;

export interface SeqTrack {
  /** Highest value of the run, unwrapped. */
  high: number;
  /** Where the run began: values below it were never counted lost. */
  start: number;
  /** The last RECENT_SEQS values seen (unwrapped), newest last. */
  recent: number[];
}

export interface SeqReading {
  value: number;
  /** The counter wraps at this (256 for Sparkplug); unset or 0: it does not. */
  modulo?: number;
  /** The convention says the counter starts afresh here. */
  restart?: boolean;
}

export interface SeqStep {
  received: 0 | 1;
  lost: number;
  duplicate: boolean;
  restart: boolean;
}

const RECEIVED: SeqStep = { received: 1, lost: 0, duplicate: false, restart: false };

/** Reads one value; returns the stream's new track (the same object, changed, when there was one) and what the value meant. */
export function readSeq(track: SeqTrack | undefined, r: SeqReading): { track: SeqTrack; step: SeqStep } {
  const m = r.modulo && r.modulo > 0 ? r.modulo : 0;
  if (!track || r.restart) {
    const v = m ? mod(r.value, m) : r.value;
    return { track: { high: v, start: v, recent: [v] }, step: { ...RECEIVED, restart: track !== undefined } };
  }
  const u = m ? track.high + nearestStep(r.value - track.high, m) : r.value;
  if (u > track.high) {
    const lost = u - track.high - 1;
    track.high = u;
    remember(track, u);
    return { track, step: { ...RECEIVED, lost } };
  }
  if (!m && ((u <= COUNTER_START && track.high > COUNTER_START) || track.high - u >= SEQ_WINDOW)) {
    return { track: { high: u, start: u, recent: [u] }, step: { ...RECEIVED, restart: true } };
  }
  if (track.recent.includes(u)) return { track, step: { received: 0, lost: 0, duplicate: true, restart: false } };
  remember(track, u);
  if (u > track.start) return { track, step: { ...RECEIVED, lost: -1 } };
  // Older than the run's start: never counted lost, so nothing to take back.
  track.start = u;
  return { track, step: RECEIVED };
}

function remember(track: SeqTrack, u: number) {
  track.recent.push(u);
  if (track.recent.length > RECENT_SEQS) track.recent.shift();
}

const mod = (a: number, m: number) => ((a % m) + m) % m;

/** The step from one counter value to the next, read as the nearest one on a counter wrapping at m. */
function nearestStep(diff: number, m: number): number {
  const d = mod(diff, m);
  return d > m / 2 ? d - m : d;
}
