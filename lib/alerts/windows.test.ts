import { describe, expect, it } from "vitest";
import { LOSS_BUCKETS, MAX_RATE_SAMPLES, addEvent, addLoss, countEvents, lossOf, nextEventExpiry, pushRateSample, rateOf, type LossBucket, type RateSample } from "./windows";

describe("rate window", () => {
  it("is the change per second from the oldest to the newest sample in the window", () => {
    const s: RateSample[] = [];
    pushRateSample(s, 0, 20, 60_000);
    expect(rateOf(s)).toBeNull();
    pushRateSample(s, 10_000, 25, 60_000);
    expect(rateOf(s)).toBeCloseTo(0.5);
    pushRateSample(s, 20_000, 20, 60_000);
    expect(rateOf(s)).toBe(0);
  });

  it("forgets samples that left the window", () => {
    const s: RateSample[] = [];
    pushRateSample(s, 0, 100, 60_000);
    pushRateSample(s, 30_000, 0, 60_000);
    pushRateSample(s, 90_000, 30, 60_000);
    expect(s.map(([t]) => t)).toEqual([30_000, 90_000]);
    expect(rateOf(s)).toBeCloseTo(0.5);
  });

  it("stays bounded at 1 kHz for an hour, and keeps the newest value", () => {
    const s: RateSample[] = [];
    for (let t = 0; t < 3_600_000; t += 1) pushRateSample(s, t, t / 1000, 60_000);
    expect(s.length).toBeLessThanOrEqual(2 * MAX_RATE_SAMPLES + 2);
    expect(s.at(-1)).toEqual([3_599_999, 3_599.999]);
    expect(rateOf(s)).toBeCloseTo(1, 6);
    expect(s[0]![0]).toBeGreaterThanOrEqual(3_599_999 - 60_000);
  });

  it("refuses a sample older than the newest: rates read forwards", () => {
    const s: RateSample[] = [];
    pushRateSample(s, 1000, 1, 60_000);
    expect(pushRateSample(s, 500, 9, 60_000)).toBe(false);
    expect(s).toEqual([[1000, 1]]);
  });

  it("gives no rate for samples at one instant", () => {
    expect(rateOf([[5, 1], [5, 2]])).toBeNull();
  });
});

describe("loss window", () => {
  it("is lost over lost plus received, in percent", () => {
    const b: LossBucket[] = [];
    for (let i = 0; i < 9; i++) addLoss(b, i * 1000, 1, 0, 60_000);
    addLoss(b, 9000, 1, 1, 60_000);
    expect(lossOf(b, 9000, 60_000)).toEqual({ received: 10, lost: 1, percent: (1 / 11) * 100 });
  });

  it("takes a late message's filled gap back, never below zero", () => {
    const b: LossBucket[] = [];
    addLoss(b, 0, 1, 0, 60_000);
    addLoss(b, 1000, 1, -1, 60_000);
    expect(lossOf(b, 1000, 60_000)).toMatchObject({ received: 2, lost: 0, percent: 0 });
  });

  it("forgets what happened before the window", () => {
    const b: LossBucket[] = [];
    addLoss(b, 0, 1, 50, 60_000);
    addLoss(b, 120_000, 10, 0, 60_000);
    expect(lossOf(b, 120_000, 60_000)).toMatchObject({ received: 10, lost: 0 });
    expect(b).toHaveLength(1);
  });

  it("says nothing when nothing was expected", () => {
    expect(lossOf([], 0, 60_000).percent).toBeNull();
  });

  it("stays within its buckets however fast messages come", () => {
    const b: LossBucket[] = [];
    for (let t = 0; t < 600_000; t += 5) addLoss(b, t, 1, 0, 60_000);
    expect(b.length).toBeLessThanOrEqual(LOSS_BUCKETS + 1);
    expect(lossOf(b, 599_995, 60_000).received).toBeGreaterThanOrEqual(12_000);
  });
});

describe("event window", () => {
  it("counts events in the window, in time order even when they come out of it", () => {
    const e: number[] = [];
    addEvent(e, 1000, 10);
    addEvent(e, 3000, 10);
    addEvent(e, 2000, 10);
    expect(e).toEqual([1000, 2000, 3000]);
    expect(countEvents(e, 3000, 60_000)).toBe(3);
    expect(nextEventExpiry(e, 60_000)).toBe(61_000);
    expect(countEvents(e, 61_000, 60_000)).toBe(2);
    expect(e).toEqual([2000, 3000]);
  });

  it("keeps only the newest `cap` events", () => {
    const e: number[] = [];
    for (let t = 0; t < 100; t++) addEvent(e, t, 3);
    expect(e).toEqual([97, 98, 99]);
  });

  it("has no expiry when empty", () => {
    expect(nextEventExpiry([], 1000)).toBeNull();
  });
});
