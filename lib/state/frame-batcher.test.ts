import { describe, expect, it, vi } from "vitest";
import { createFrameBatcher, framesAtMost, MAX_BUFFERED } from "./frame-batcher";

function manualFrames() {
  const queued: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => {
      queued.push(cb);
      return () => queued.splice(queued.indexOf(cb), 1);
    },
    frame: () => queued.splice(0).forEach((cb) => cb()),
    pending: () => queued.length,
  };
}

describe("createFrameBatcher", () => {
  it("hands over everything pushed between two frames in one call", () => {
    const frames = manualFrames();
    const flushed: number[][] = [];
    const b = createFrameBatcher<number>((items) => flushed.push(items), frames.schedule);
    for (let i = 0; i < 100; i++) b.push(i);
    expect(frames.pending()).toBe(1);
    expect(flushed).toHaveLength(0);
    frames.frame();
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toHaveLength(100);
  });

  it("flushes at once when the buffer is full, so a tab without frames stays bounded", () => {
    const frames = manualFrames();
    const sizes: number[] = [];
    const b = createFrameBatcher<number>((items) => sizes.push(items.length), frames.schedule);
    for (let i = 0; i < MAX_BUFFERED + 1; i++) b.push(i);
    expect(sizes).toEqual([MAX_BUFFERED]);
    b.dispose();
    expect(sizes).toEqual([MAX_BUFFERED, 1]);
    expect(frames.pending()).toBe(0);
  });
});

describe("framesAtMost", () => {
  it("waits out the interval since the last hand-over before asking for a frame, and loses nothing", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const frames = manualFrames();
      const flushed: number[][] = [];
      const b = createFrameBatcher<number>((items) => flushed.push(items), framesAtMost(200, frames.schedule));
      b.push(1);
      frames.frame(); // the first batch goes at the next frame
      expect(flushed).toEqual([[1]]);
      b.push(2);
      b.push(3);
      expect(frames.pending()).toBe(0); // no frame asked for within 200 ms of the last hand-over
      vi.advanceTimersByTime(199);
      expect(frames.pending()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(frames.pending()).toBe(1);
      frames.frame();
      expect(flushed).toEqual([[1], [2, 3]]);
      b.push(4);
      b.dispose(); // handed over at once, its wait cancelled
      expect(flushed).toEqual([[1], [2, 3], [4]]);
      vi.advanceTimersByTime(500);
      expect(frames.pending()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
