import { describe, expect, it } from "vitest";
import { createFrameBatcher, MAX_BUFFERED } from "./frame-batcher";

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
