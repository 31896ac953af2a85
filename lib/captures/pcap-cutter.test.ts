import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CaptureFileReader } from "../capture/capture-file";
import { concat, pcapFile, text } from "../capture/fixtures/build";
import { PcapCutter } from "./pcap-cutter";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../capture/fixtures/${name}`, import.meta.url)));

/** Feeds `file` in chunks of `size`, asking for a cut before every chunk in `cutsAt`; returns the files made. */
function cut(file: Uint8Array, size: number, cutsAt: (i: number) => boolean): Uint8Array[] {
  const cutter = new PcapCutter();
  const files: Uint8Array[][] = [[]];
  for (let i = 0, n = 0; i < file.length; i += size, n++) {
    if (cutsAt(n)) cutter.requestCut();
    for (const piece of cutter.push(file.subarray(i, i + size))) {
      if (piece.kind === "cut") files.push([piece.header]);
      else files.at(-1)!.push(piece.bytes);
    }
  }
  return files.map((parts) => concat(...parts));
}

function frames(file: Uint8Array) {
  const r = new CaptureFileReader();
  const out = [...r.push(file), ...r.end()];
  return { frames: out.map((f) => Buffer.from(f.data).toString("hex")), problems: r.problems.list };
}

describe("PcapCutter", () => {
  const records = ["one", "two-two", "three", "", "five!"].map((s, i) => ({ sec: i, frac: 0, data: text(s) }));

  it.each([true, false])("cuts only between records, each file whole, none lost or repeated (little-endian %s)", (le) => {
    const file = pcapFile({ le, records });
    const whole = frames(file).frames;
    for (const size of [1, 3, 7, 16, 17, 24, 25, 100]) {
      for (const every of [1, 2, 3]) {
        const files = cut(file, size, (n) => n > 0 && n % every === 0);
        const read = files.map(frames);
        expect(read.flatMap((r) => r.problems)).toEqual([]);
        expect(read.flatMap((r) => r.frames)).toEqual(whole);
        // Cuts were asked for and records remained: some were made.
        if (size < 40) expect(files.length).toBeGreaterThan(1);
      }
    }
  });

  it("cuts a real tcpdump capture into files that each read whole", () => {
    const file = fixture("lo-ethernet.pcap");
    const whole = frames(file).frames;
    const files = cut(file, 1000, (n) => n % 2 === 1);
    expect(files.length).toBeGreaterThan(1);
    expect(files.map(frames).flatMap((r) => r.frames)).toEqual(whole);
  });

  it("never cuts what is not pcap", () => {
    const notPcap = text("0123456789abcdefghijklmnopqrstuvwxyz");
    const files = cut(notPcap, 5, () => true);
    expect(files).toHaveLength(1);
    expect(Buffer.from(files[0]!).toString()).toBe(Buffer.from(notPcap).toString());
  });
});
