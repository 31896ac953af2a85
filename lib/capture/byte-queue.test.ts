import { describe, expect, it } from "vitest";
import { ByteQueue } from "./byte-queue";

describe("ByteQueue", () => {
  it("reads across chunk boundaries as if the bytes were one array", () => {
    const q = new ByteQueue();
    [[1], [2, 3], [], [4, 5, 6], [7]].forEach((c) => q.push(Uint8Array.from(c)));
    expect(Array.from(q.peek(3))).toEqual([1, 2, 3]);
    expect(Array.from(q.take(5))).toEqual([1, 2, 3, 4, 5]);
    expect(q.offset).toBe(5);
    expect(q.length).toBe(2);
    expect(Array.from(q.take(2))).toEqual([6, 7]);
    expect(q.length).toBe(0);
  });

  it("hands out copies from take, so a caller's chunk can be reused", () => {
    const q = new ByteQueue();
    const chunk = Uint8Array.of(9, 8, 7);
    q.push(chunk);
    const taken = q.take(2);
    chunk[0] = 0;
    expect(Array.from(taken)).toEqual([9, 8]);
  });

  it("skips no more than it holds and reports how much", () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1, 2, 3));
    expect(q.skip(10)).toBe(3);
    expect(q.offset).toBe(3);
    q.push(Uint8Array.of(4));
    expect(Array.from(q.peek(1))).toEqual([4]);
  });

  it("joins one-byte chunks once, whatever how many reads look at them", () => {
    const q = new ByteQueue();
    for (let i = 0; i < 10_000; i++) q.push(Uint8Array.of(i & 0xff));
    const first = q.peek(10_000);
    expect(q.peek(10_000).buffer).toBe(first.buffer);
    expect(first[9999]).toBe(9999 & 0xff);
  });
});
