import { describe, expect, it } from "vitest";
import { SEQ_WINDOW, SeqGapCounter, seqCountsByQos } from "./seq-gaps";

const T = "fleet/lab/arm-01/telemetry";
const L = "fleet/lab/arm-01/log";

function feed(seqs: number[], topic = T, qos: 0 | 1 | 2 = 0) {
  const c = new SeqGapCounter();
  for (const s of seqs) c.observe(topic, s, qos);
  return c.counts()[0]!;
}

describe("SeqGapCounter", () => {
  it("counts an unbroken stream as all received, from wherever the tab started looking", () => {
    expect(feed([41, 42, 43, 44])).toMatchObject({ received: 4, lost: 0, duplicates: 0, restarts: 0 });
  });

  it("counts each value a jump skips as lost", () => {
    expect(feed([1, 2, 5, 6, 10])).toMatchObject({ received: 5, lost: 5, duplicates: 0 });
  });

  it("counts a value seen again as a duplicate, not as received", () => {
    expect(feed([1, 2, 3, 2, 3, 3, 4])).toMatchObject({ received: 4, lost: 0, duplicates: 3 });
  });

  it("takes back a loss when the skipped value arrives late", () => {
    expect(feed([1, 2, 4, 5, 3])).toMatchObject({ received: 5, lost: 0, duplicates: 0 });
    // A value from before the tab started looking was never counted lost.
    expect(feed([10, 11, 8])).toMatchObject({ received: 3, lost: 0 });
  });

  it("treats a fall back to the counter's start as a restart: a new run, nothing lost or duplicated", () => {
    expect(feed([500, 501, 502, 1, 2, 4])).toMatchObject({ received: 6, lost: 1, duplicates: 0, restarts: 1 });
    expect(feed([7, 8, 0, 1, 2])).toMatchObject({ received: 5, lost: 0, duplicates: 0, restarts: 1 });
  });

  it("treats a fall back of more than the window as a restart, even one that does not start at 1", () => {
    const high = 10 * SEQ_WINDOW;
    expect(feed([high, high + 1, 5, 6])).toMatchObject({ received: 4, lost: 0, duplicates: 0, restarts: 1 });
    // Within the window it is a duplicate or a late arrival instead.
    expect(feed([high, high + 1, high + 1 - (SEQ_WINDOW - 1)])).toMatchObject({ received: 3, restarts: 0 });
  });

  it("keeps each topic's stream apart and remembers the QoS it was delivered at last", () => {
    const c = new SeqGapCounter();
    c.observe(T, 1, 0);
    c.observe(L, 1, 1);
    c.observe(T, 3, 0);
    c.observe(L, 2, 1);
    expect(c.counts()).toEqual([
      { topic: T, qos: 0, received: 2, lost: 1, duplicates: 0, restarts: 0 },
      { topic: L, qos: 1, received: 2, lost: 0, duplicates: 0, restarts: 0 },
    ]);
  });
});

describe("seqCountsByQos", () => {
  const streams = [
    { topic: T, qos: 0 as const, received: 10, lost: 2, duplicates: 0, restarts: 0 },
    { topic: L, qos: 0 as const, received: 5, lost: 1, duplicates: 3, restarts: 0 },
  ];

  it("adds streams up under the QoS their publisher used when the trace knows it", () => {
    expect(seqCountsByQos(streams, (t) => (t === L ? 1 : undefined))).toEqual({
      "0": { received: 10, lost: 2, duplicates: 0 },
      "1": { received: 5, lost: 1, duplicates: 3 },
      "2": { received: 0, lost: 0, duplicates: 0 },
    });
  });

  it("falls back to the QoS each was delivered at", () => {
    expect(seqCountsByQos(streams, () => undefined)["0"]).toEqual({ received: 15, lost: 3, duplicates: 3 });
  });
});
