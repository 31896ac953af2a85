import { describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES } from "./frame-reader";
import { PcapReader } from "./pcap";
import { concat, pcapFile } from "./fixtures/build";
import type { Frame } from "./types";

const data = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill);

function readAll(file: Uint8Array, chunk = file.length) {
  const r = new PcapReader();
  const frames: Frame[] = [];
  for (let i = 0; i < file.length; i += chunk) frames.push(...r.push(file.subarray(i, i + chunk)));
  frames.push(...r.end());
  return { frames, problems: r.problems.list };
}

describe("PcapReader", () => {
  it.each([
    ["little-endian", true],
    ["big-endian", false],
  ])("reads a %s microsecond file: times, link type, lengths", (_, le) => {
    const file = pcapFile({ le, linkType: 113, records: [{ sec: 1_700_000_000, frac: 123_456, data: data(20), origLen: 1500 }, { sec: 1_700_000_001, frac: 0, data: data(3) }] });
    const { frames, problems } = readAll(file);
    expect(problems).toEqual([]);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ ts: 1_700_000_000_123.456, tsNs: 1_700_000_000_123_456_000n, linkType: 113, interface: 0, origLen: 1500, offset: 24 });
    expect(frames[0]!.data).toEqual(data(20));
    expect(frames[1]).toMatchObject({ ts: 1_700_000_001_000, origLen: 3, offset: 24 + 16 + 20 });
  });

  it.each([true, false])("reads nanosecond timestamps exactly (little-endian %s)", (le) => {
    const { frames } = readAll(pcapFile({ le, nano: true, records: [{ sec: 1_796_323_156, frac: 414_923_933, data: data(1) }] }));
    expect(frames[0]!.tsNs).toBe(1_796_323_156_414_923_933n);
    expect(frames[0]!.ts).toBeCloseTo(1_796_323_156_414.924, 3);
  });

  it("reads the same frames whatever the chunking, one byte at a time included", () => {
    const file = pcapFile({ records: [1, 60, 0, 7].map((n, i) => ({ sec: i, frac: i, data: data(n, i) })) });
    const whole = readAll(file);
    expect(readAll(file, 1)).toEqual(whole);
    expect(readAll(file, 7)).toEqual(whole);
    expect(whole.frames.map((f) => f.data.length)).toEqual([1, 60, 0, 7]);
  });

  it("keeps the link type and drops the FCS bits above it", () => {
    const { frames } = readAll(pcapFile({ linkType: 0x10000001, records: [{ sec: 0, frac: 0, data: data(1) }] }));
    expect(frames[0]!.linkType).toBe(1);
  });

  it("reports a bad magic number and reads nothing", () => {
    const file = pcapFile({ records: [] });
    file[0] = 0;
    const { frames, problems } = readAll(file);
    expect(frames).toEqual([]);
    expect(problems).toEqual([{ offset: 0, message: expect.stringMatching(/not a pcap file/) }]);
  });

  it("reports a version it does not know", () => {
    const file = pcapFile({ records: [] });
    file[4] = 3;
    expect(readAll(file).problems[0]!.message).toMatch(/unsupported pcap version 3\.4/);
  });

  it("reports a truncated last record and keeps the frames before it", () => {
    const file = pcapFile({ records: [{ sec: 1, frac: 0, data: data(10) }, { sec: 2, frac: 0, data: data(10) }] });
    const { frames, problems } = readAll(file.subarray(0, file.length - 4));
    expect(frames).toHaveLength(1);
    expect(problems).toEqual([{ offset: 50, message: expect.stringMatching(/^truncated last record/) }]);
  });

  it("reports a truncated file header", () => {
    expect(readAll(pcapFile({ records: [] }).subarray(0, 10)).problems[0]!.message).toMatch(/^truncated file header/);
  });

  it("takes a record length past the limit for corruption, without waiting to buffer it", () => {
    const file = pcapFile({ records: [{ sec: 1, frac: 0, data: data(4) }, { sec: 2, frac: 0, data: data(4) }] });
    new DataView(file.buffer).setUint32(24 + 20 + 8, MAX_RECORD_BYTES + 1, true);
    const r = new PcapReader();
    const frames = r.push(file);
    expect(frames).toHaveLength(1);
    expect(r.problems.list).toEqual([{ offset: 44, message: expect.stringMatching(/past the 268435456-byte limit/) }]);
    // Nothing more is read or held after it.
    expect(r.push(concat(data(100)))).toEqual([]);
    r.end();
    expect(r.problems.list).toHaveLength(1);
  });
});
