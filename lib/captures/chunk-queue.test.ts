import { describe, expect, it } from "vitest";
import { ChunkQueue } from "./chunk-queue";

describe("a queue of chunks", () => {
  it("hands over what was pushed, before and while it is read, in order, until ended", async () => {
    const q = new ChunkQueue();
    q.push(new Uint8Array([1]));
    const read = (async () => {
      const got: number[] = [];
      for await (const c of q) got.push(...c);
      return got;
    })();
    await Promise.resolve();
    q.push(new Uint8Array([2, 3]));
    setTimeout(() => {
      q.push(new Uint8Array([4]));
      q.end();
    }, 5);
    expect(await read).toEqual([1, 2, 3, 4]);
  });
});
