/**
 * Live loss and duplicates from the `seq` a device puts in every message, counted over what one
 * observer (this tab) sees. Each topic is one stream (as in the store, lib/store/delivery.ts):
 *   - the next value, or a jump ahead: received, and a jump of n counts n − 1 lost;
 *   - a value below the highest seen, within the last WINDOW values: a duplicate when it was seen,
 *     else a late arrival that fills a gap (one less lost);
 *   - a fall back to the counter's start (0 or 1) or to more than WINDOW below the highest: the
 *     device restarted its counter. A new run begins there and nothing is counted lost or
 *     duplicated for the jump; the restart is counted. (A redelivery of a run's very first message
 *     looks the same; restarts are far more common, so that is the reading taken.)
 * The first value of a stream starts a run too: what came before the observer looked is not lost.
 * Pure; no time involved.
 */
import type { QoS } from "../mqtt/packet";

/** How far below the highest seq a value is still told apart as a duplicate or a late arrival. */
export const SEQ_WINDOW = 1024;
/** The values a counter starts from: falling back to one is a restart. */
const COUNTER_START = 1;

export interface SeqCounts {
  received: number;
  lost: number;
  duplicates: number;
}

export interface SeqStreamCounts extends SeqCounts {
  topic: string;
  /** The QoS of the stream's latest message, as delivered to the observer. */
  qos: QoS;
  restarts: number;
}

interface Stream extends SeqStreamCounts {
  high: number;
  /** Where the current run began: values below it were never counted lost. */
  start: number;
  /** `seen[v % SEQ_WINDOW] === v` for values seen in this run within the window. */
  seen: Float64Array;
}

export class SeqGapCounter {
  private readonly streams = new Map<string, Stream>();

  observe(topic: string, seq: number, qos: QoS): void {
    let s = this.streams.get(topic);
    if (!s) {
      s = { topic, qos, received: 0, lost: 0, duplicates: 0, restarts: 0, high: seq, start: seq, seen: new Float64Array(SEQ_WINDOW).fill(-1) };
      this.streams.set(topic, s);
      this.accept(s, seq);
      return;
    }
    s.qos = qos;
    if (seq > s.high) {
      s.lost += seq - s.high - 1;
      s.high = seq;
      this.accept(s, seq);
    } else if ((seq <= COUNTER_START && s.high > COUNTER_START) || s.high - seq >= SEQ_WINDOW) {
      s.restarts++;
      s.high = seq;
      s.start = seq;
      s.seen.fill(-1);
      this.accept(s, seq);
    } else if (s.seen[seq % SEQ_WINDOW] === seq) s.duplicates++;
    else {
      // Out of order: a value the run skipped earlier arrives after all.
      if (seq > s.start) s.lost--;
      else s.start = seq;
      this.accept(s, seq);
    }
  }

  private accept(s: Stream, seq: number) {
    s.received++;
    s.seen[seq % SEQ_WINDOW] = seq;
  }

  /** Each stream's counts so far, as plain data. */
  counts(): SeqStreamCounts[] {
    return [...this.streams.values()].map(({ topic, qos, received, lost, duplicates, restarts }) => ({ topic, qos, received, lost, duplicates, restarts }));
  }
}

/**
 * The streams' counts added up per QoS level. A stream counts under `qosOf(topic)` when that is
 * known (the QoS its publisher used, as the broker's trace saw it: an observer's own subscription
 * can lower what it is delivered at), else under the QoS it was delivered at.
 */
export function seqCountsByQos(streams: readonly SeqStreamCounts[], qosOf: (topic: string) => QoS | undefined): Record<"0" | "1" | "2", SeqCounts> {
  const out = { "0": zero(), "1": zero(), "2": zero() };
  for (const s of streams) {
    const level = out[String(qosOf(s.topic) ?? s.qos) as "0" | "1" | "2"];
    level.received += s.received;
    level.lost += s.lost;
    level.duplicates += s.duplicates;
  }
  return out;
}

const zero = (): SeqCounts => ({ received: 0, lost: 0, duplicates: 0 });
