import { describe, expect, it } from "vitest";
import { SEQ_WINDOW } from "../qos/seq-gaps";
import { RECENT_SEQS, readSeq, type SeqReading, type SeqTrack } from "./seq";

function feed(values: (number | SeqReading)[]) {
  let track: SeqTrack | undefined;
  const sum = { received: 0, lost: 0, duplicates: 0, restarts: 0 };
  for (const v of values) {
    const r = readSeq(track, typeof v === "number" ? { value: v } : v);
    track = r.track;
    sum.received += r.step.received;
    sum.lost += r.step.lost;
    if (r.step.duplicate) sum.duplicates++;
    if (r.step.restart) sum.restarts++;
  }
  return sum;
}

describe("readSeq: the same reading as the live counter and the store", () => {
  it("counts an unbroken run from wherever it was first seen", () => {
    expect(feed([41, 42, 43])).toEqual({ received: 3, lost: 0, duplicates: 0, restarts: 0 });
  });

  it("counts each value a jump skips as lost", () => {
    expect(feed([1, 2, 5, 6, 10])).toMatchObject({ received: 5, lost: 5 });
  });

  it("counts a redelivery as a duplicate, neither received nor lost", () => {
    expect(feed([1, 2, 3, 2, 3, 3, 4])).toEqual({ received: 4, lost: 0, duplicates: 3, restarts: 0 });
  });

  it("takes a loss back when the skipped value arrives late", () => {
    expect(feed([1, 2, 4, 5, 3])).toMatchObject({ received: 5, lost: 0 });
    expect(feed([10, 11, 8])).toMatchObject({ received: 3, lost: 0 });
  });

  it("reads a fall back to the counter's start, or by the window, as a restart", () => {
    expect(feed([500, 501, 502, 1, 2, 4])).toEqual({ received: 6, lost: 1, duplicates: 0, restarts: 1 });
    expect(feed([7, 8, 0, 1])).toMatchObject({ lost: 0, restarts: 1 });
    expect(feed([10 * SEQ_WINDOW, 10 * SEQ_WINDOW + 1, 5])).toMatchObject({ lost: 0, restarts: 1 });
  });

  it("unwraps a wrapping counter, each step read as the nearest (Sparkplug 0..255)", () => {
    const m = (value: number, restart?: boolean): SeqReading => ({ value, modulo: 256, restart });
    expect(feed([m(254), m(255), m(0), m(1)])).toEqual({ received: 4, lost: 0, duplicates: 0, restarts: 0 });
    expect(feed([m(254), m(2)])).toMatchObject({ lost: 3 });
    expect(feed([m(5), m(7), m(6)])).toMatchObject({ received: 3, lost: 0 });
    expect(feed([m(5), m(6), m(6)])).toMatchObject({ duplicates: 1 });
    // An announced restart (NBIRTH) is a new run, whatever the value.
    expect(feed([m(100), m(101), m(0, true), m(1)])).toMatchObject({ lost: 0, restarts: 1 });
  });

  it("remembers a bounded list of values, so its track stays small JSON", () => {
    let track: SeqTrack | undefined;
    for (let v = 0; v < 10_000; v++) track = readSeq(track, { value: v }).track;
    expect(track!.recent).toHaveLength(RECENT_SEQS);
    expect(JSON.parse(JSON.stringify(track))).toEqual(track);
  });
});
