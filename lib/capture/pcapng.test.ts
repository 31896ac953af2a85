import { describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES } from "./frame-reader";
import { PcapngReader } from "./pcapng";
import { block, concat, epb, idb, pb, shb, spb } from "./fixtures/build";
import type { Frame } from "./types";

const data = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill);

function readAll(file: Uint8Array, chunk = file.length) {
  const r = new PcapngReader();
  const frames: Frame[] = [];
  for (let i = 0; i < file.length; i += chunk) frames.push(...r.push(file.subarray(i, i + chunk)));
  frames.push(...r.end());
  return { frames, problems: r.problems.list };
}

describe("PcapngReader", () => {
  it.each([true, false])("reads enhanced packet blocks in either byte order (little-endian %s)", (le) => {
    const file = concat(shb(le), idb(1, { le }), epb(0, 1_700_000_000_123_456n, data(13), { le, origLen: 1514 }));
    const { frames, problems } = readAll(file);
    expect(problems).toEqual([]);
    expect(frames).toHaveLength(1);
    // Without if_tsresol the unit is the microsecond.
    expect(frames[0]).toMatchObject({ ts: 1_700_000_000_123.456, tsNs: 1_700_000_000_123_456_000n, linkType: 1, interface: 0, origLen: 1514 });
    expect(frames[0]!.data).toEqual(data(13));
  });

  it("gives each interface its own link type and timestamp resolution, decimal or binary", () => {
    const file = concat(
      shb(),
      idb(1, { tsresol: 9 }),
      idb(113, { tsresol: 0x80 | 10 }),
      idb(0, { tsresol: 3, tsoffset: 1_000n }),
      epb(0, 1_796_323_161_481_933_835n, data(1)),
      epb(1, 5n * 1024n + 512n, data(1)),
      epb(2, 1_500n, data(1)),
    );
    const { frames } = readAll(file);
    expect(frames.map((f) => [f.interface, f.linkType])).toEqual([[0, 1], [1, 113], [2, 0]]);
    expect(frames[0]!.tsNs).toBe(1_796_323_161_481_933_835n);
    // 2^-10 s units: 5.5 s.
    expect(frames[1]!.ts).toBe(5_500);
    expect(frames[1]!.tsNs).toBe(5_500_000_000n);
    // Milliseconds, plus if_tsoffset's 1000 s.
    expect(frames[2]!.ts).toBe(1_001_500);
  });

  it("reads simple packet blocks, cut at the interface's snapshot length, timed like the frame before", () => {
    const file = concat(shb(), idb(1, { snapLen: 8 }), epb(0, 2_000_000n, data(4)), spb(data(12, 7), 12), spb(data(3, 9), 3));
    const { frames } = readAll(file);
    expect(frames.map((f) => [f.data.length, f.origLen, f.ts])).toEqual([[4, 4, 2000], [8, 12, 2000], [3, 3, 2000]]);
    expect(frames[1]!.data).toEqual(data(8, 7));
  });

  it("reads the obsolete packet block", () => {
    const { frames } = readAll(concat(shb(), idb(1), idb(101), pb(1, 3_000_000n, data(5))));
    expect(frames).toMatchObject([{ interface: 1, linkType: 101, ts: 3000 }]);
  });

  it("skips blocks it does not know, however long, without holding them", () => {
    const big = block(0x0bad, (w) => w.raw(data(100_000)));
    const nameResolution = block(4, (w) => w.raw(data(16)));
    const file = concat(shb(), nameResolution, idb(1), big, epb(0, 0n, data(2)), block(5, (w) => w.raw(data(8))));
    const r = new PcapngReader();
    const frames: Frame[] = [];
    let maxHeld = 0;
    for (let i = 0; i < file.length; i += 1000) {
      frames.push(...r.push(file.subarray(i, i + 1000)));
      maxHeld = Math.max(maxHeld, (r as unknown as { queue: { length: number } }).queue.length);
    }
    r.end();
    expect(frames).toHaveLength(1);
    expect(r.problems.list).toEqual([]);
    expect(maxHeld).toBeLessThan(2000);
  });

  it("starts afresh at each section: new byte order, interfaces numbered on across the file", () => {
    const file = concat(shb(true), idb(1), epb(0, 1n, data(1)), shb(false), idb(113, { le: false }), epb(0, 2n, data(2), { le: false }));
    const { frames, problems } = readAll(file, 1);
    expect(problems).toEqual([]);
    expect(frames.map((f) => [f.interface, f.linkType, f.data.length])).toEqual([[0, 1, 1], [1, 113, 2]]);
  });

  it("reads the same frames whatever the chunking", () => {
    const file = concat(shb(), idb(1, { tsresol: 9 }), ...[1, 2, 3, 60].map((n) => epb(0, BigInt(n), data(n))), spb(data(5)));
    const whole = readAll(file);
    expect(whole.frames).toHaveLength(5);
    expect(readAll(file, 1)).toEqual(whole);
    expect(readAll(file, 5)).toEqual(whole);
  });

  it("skips a packet for an interface the section has not described, and one whose length runs past its block", () => {
    const bad = epb(0, 0n, data(4), { capLen: 400 });
    const file = concat(shb(), epb(0, 0n, data(1)), idb(1), bad, epb(0, 0n, data(3)));
    const { frames, problems } = readAll(file);
    expect(frames.map((f) => f.data.length)).toEqual([3]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/interface 0, which this section has not described/), expect.stringMatching(/runs past the block/)]);
  });

  it.each([
    ["a file that does not start with a section header", () => concat(idb(1)), /not a pcapng file/],
    ["an unknown byte-order magic", () => { const f = shb(); f[8] = 0; return f; }, /unknown byte-order magic/],
    ["a block length that is not a multiple of 4", () => { const f = concat(shb(), idb(1)); f[shbLength() + 4] = 21; return f; }, /not a multiple of 4/],
    ["a block length past the limit", () => { const f = concat(shb(), idb(1)); new DataView(f.buffer).setUint32(shbLength() + 4, MAX_RECORD_BYTES + 4, true); return f; }, /past the 268435456-byte limit/],
    ["a trailing length that disagrees", () => { const f = concat(shb(), idb(1)); f[f.length - 4] = 24; return f; }, /at its start but 24 at its end/],
    ["a trailing length that disagrees on a skipped block", () => { const f = concat(shb(), block(0x99, (w) => w.raw(data(8)))); f[f.length - 4] = 4; return f; }, /at its start but 4 at its end/],
    ["a version it does not know", () => { const f = shb(); f[12] = 2; return f; }, /unsupported pcapng version 2\.0/],
    ["a block shorter than its fixed fields", () => concat(shb(), block(1, (w) => w.raw(data(4)))), /has length 16, shorter than 20/],
  ])("reports %s and reads no further", (_, make, message) => {
    const file = concat(make(), idb(1), epb(0, 0n, data(1)));
    const { frames, problems } = readAll(file);
    expect(frames).toEqual([]);
    expect(problems).toEqual([{ offset: expect.any(Number), message: expect.stringMatching(message) }]);
  });

  it("skips a simple packet block before any interface, and ignores options that run past their block", () => {
    const badOptions = idb(1, { tsresol: 9 });
    badOptions[16 + 2] = 40; // the first option's length
    const { frames, problems } = readAll(concat(shb(), spb(data(4)), badOptions, epb(0, 7n, data(1))));
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/simple packet block before any interface/), expect.stringMatching(/options run past it/)]);
    // The interface is kept, with the default microsecond resolution.
    expect(frames).toMatchObject([{ ts: 0.007 }]);
  });

  it("reports a truncated last block, also one being skipped, and keeps what came before", () => {
    const file = concat(shb(), idb(1), epb(0, 0n, data(4)), epb(0, 0n, data(4)));
    const cut = readAll(file.subarray(0, file.length - 3));
    expect(cut.frames).toHaveLength(1);
    expect(cut.problems).toEqual([{ offset: file.length - 36, message: expect.stringMatching(/^truncated last block/) }]);
    const skipping = readAll(concat(shb(), block(0x99, (w) => w.raw(data(64)))).subarray(0, shbLength() + 20));
    expect(skipping.problems).toEqual([{ offset: shbLength(), message: "truncated last block: the file ends 20 bytes into it" }]);
  });
});

function shbLength() {
  return shb().length;
}
