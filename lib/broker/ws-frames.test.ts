import { describe, expect, it } from "vitest";
import { frameEnds, MAX_WS_FRAME_BYTES } from "./ws-frames";

describe("packing broker writes into WebSocket frames", () => {
  it("small chunks written together share one frame", () => {
    expect(frameEnds([2, 1, 2, 30, 80])).toEqual([5]);
  });

  it("a frame takes chunks up to the limit exactly, and the next chunk starts another", () => {
    expect(frameEnds([40, 60, 1], 100)).toEqual([2, 3]);
    expect(frameEnds([40, 61, 1], 100)).toEqual([1, 3]);
  });

  it("a chunk over the limit is sent whole, in a frame of its own", () => {
    expect(frameEnds([10, 500, 10], 100)).toEqual([1, 2, 3]);
    expect(frameEnds([500], 100)).toEqual([1]);
  });

  it("a backlog of telemetry is cut into frames none of which exceeds the limit", () => {
    const sizes = Array.from({ length: 5000 }, (_, i) => 70 + (i % 30));
    const ends = frameEnds(sizes);
    let start = 0;
    for (const end of ends) {
      expect(sizes.slice(start, end).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_WS_FRAME_BYTES);
      start = end;
    }
    expect(start).toBe(sizes.length);
    expect(ends.length).toBeLessThan(sizes.length / 100);
  });

  it("nothing written, no frame", () => {
    expect(frameEnds([])).toEqual([]);
  });
});
