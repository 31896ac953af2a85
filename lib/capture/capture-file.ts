/**
 * A capture file of either format, told apart by its first four bytes, then read by the reader
 * for that format. Files are often misnamed (.cap, .dump, .pcap holding pcapng), so the name is
 * never consulted.
 */
import { dataView } from "./bytes";
import type { FrameReader } from "./frame-reader";
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PcapReader } from "./pcap";
import { PCAPNG_MAGIC, PcapngReader } from "./pcapng";
import { ProblemLog } from "./problems";
import type { Frame } from "./types";

const MAGIC_BYTES = 4;
const PCAP_MAGICS = new Set([PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO]);
/** Formats we can name but not read, so the message says what the file is. */
const KNOWN_OTHERS: { test: (b: Uint8Array) => boolean; message: string }[] = [
  { test: (b) => b[0] === 0x1f && b[1] === 0x8b, message: "it is gzip-compressed: decompress it first" },
  { test: (b) => [0xa1b2cd34, 0x34cdb2a1].includes(dataView(b).getUint32(0)), message: "it is a modified (Kuznetzov) pcap, which is not supported" },
];

export type CaptureFormat = "pcap" | "pcapng";

export class CaptureFileReader implements FrameReader {
  private reader: FrameReader | undefined;
  private head = new Uint8Array(0);
  private failed = false;

  constructor(readonly problems = new ProblemLog()) {}

  /** The format, once the first four bytes have told it. */
  get format(): CaptureFormat | undefined {
    return this.reader instanceof PcapReader ? "pcap" : this.reader instanceof PcapngReader ? "pcapng" : undefined;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.reader) return this.reader.push(chunk);
    if (this.failed) return [];
    const head = new Uint8Array(this.head.length + chunk.length);
    head.set(this.head);
    head.set(chunk, this.head.length);
    if (head.length < MAGIC_BYTES) {
      this.head = head;
      return [];
    }
    this.head = new Uint8Array(0);
    this.reader = this.readerFor(head);
    return this.reader ? this.reader.push(head) : [];
  }

  end(): Frame[] {
    if (this.reader) return this.reader.end();
    if (!this.failed) this.problems.add(0, this.head.length ? `truncated: the file is ${this.head.length} bytes long` : "the file is empty");
    return [];
  }

  private readerFor(head: Uint8Array): FrameReader | undefined {
    const view = dataView(head);
    if (view.getUint32(0) === PCAPNG_MAGIC) return new PcapngReader(this.problems);
    if (PCAP_MAGICS.has(view.getUint32(0, true)) || PCAP_MAGICS.has(view.getUint32(0, false))) return new PcapReader(this.problems);
    const known = KNOWN_OTHERS.find((k) => k.test(head));
    const hex = Array.from(head.subarray(0, MAGIC_BYTES), (b) => b.toString(16).padStart(2, "0")).join(" ");
    this.problems.add(0, `not a pcap or pcapng file (it starts ${hex})${known ? `: ${known.message}` : ""}`);
    this.failed = true;
    return undefined;
  }
}
