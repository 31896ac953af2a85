import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CaptureFileReader } from "./capture-file";
import { concat, epb, idb, pcapFile, shb } from "./fixtures/build";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function read(file: Uint8Array, chunk = file.length) {
  const r = new CaptureFileReader();
  const frames = [];
  for (let i = 0; i < file.length; i += chunk) frames.push(...r.push(file.subarray(i, i + chunk)));
  frames.push(...r.end());
  return { frames, problems: r.problems.list, format: r.format };
}

describe("CaptureFileReader", () => {
  it("tells pcap from pcapng by the first bytes, even when they arrive one at a time", () => {
    const pcap = pcapFile({ le: false, nano: true, records: [{ sec: 1, frac: 2, data: Uint8Array.of(1) }] });
    const pcapng = concat(shb(false), idb(1, { le: false }), epb(0, 5n, Uint8Array.of(1, 2), { le: false }));
    expect(read(pcap, 1)).toMatchObject({ format: "pcap", problems: [], frames: [{ tsNs: 1_000_000_002n }] });
    expect(read(pcapng, 1)).toMatchObject({ format: "pcapng", problems: [], frames: [{ ts: 0.005 }] });
  });

  it.each([
    ["empty", new Uint8Array(0), "the file is empty"],
    ["too short for a magic number", Uint8Array.of(0xd4, 0xc3), "truncated: the file is 2 bytes long"],
    ["gzip-compressed", Uint8Array.of(0x1f, 0x8b, 8, 0, 0), "not a pcap or pcapng file (it starts 1f 8b 08 00): it is gzip-compressed: decompress it first"],
    ["a modified pcap", Uint8Array.of(0xa1, 0xb2, 0xcd, 0x34), "not a pcap or pcapng file (it starts a1 b2 cd 34): it is a modified (Kuznetzov) pcap, which is not supported"],
    ["text", new TextEncoder().encode("hello world"), "not a pcap or pcapng file (it starts 68 65 6c 6c)"],
  ])("says what is wrong with a file that is %s", (_, file, message) => {
    expect(read(file).problems).toEqual([{ offset: 0, message }]);
  });

  // Expected values read with tshark 4.0.17: `tshark -r F -T fields -e frame.time_epoch -e frame.cap_len -c 1`.
  it.each([
    ["lo-ethernet.pcap", "pcap", 1_796_323_154_890_188_000n, 74],
    ["lo-nano.pcap", "pcap", 1_796_323_156_414_923_933n, 74],
    ["any-sll2.pcap", "pcap", 1_796_323_157_938_038_000n, 80],
    ["lo.pcapng", "pcapng", 1_796_323_161_481_933_835n, 74],
  ])("reads the first frame of %s as tshark does", (name, format, tsNs, capLen) => {
    const { frames, problems, format: f } = read(fixture(name), 100);
    expect(problems).toEqual([]);
    expect(f).toBe(format);
    expect(frames[0]!.tsNs).toBe(tsNs);
    expect(frames[0]!.ts).toBeCloseTo(Number(tsNs) / 1e6, 3);
    expect(frames[0]!.data.length).toBe(capLen);
  });
});
