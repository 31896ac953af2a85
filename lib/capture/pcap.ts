/**
 * Reads the classic libpcap format: a 24-byte file header, then records of a 16-byte header and
 * the captured bytes. The magic number gives the byte order (of the machine that wrote it) and the
 * timestamp unit: 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds.
 * Layout: draft-ietf-opsawg-pcap, sections 4 (file header) and 5 (packet record).
 */
import { ByteQueue } from "./byte-queue";
import { dataView } from "./bytes";
import { MAX_RECORD_BYTES, type FrameReader } from "./frame-reader";
import { ProblemLog } from "./problems";
import type { Frame } from "./types";

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** The link type's low bits; the high ones say whether an FCS is present (libpcap `LT_LINKTYPE`). */
const LINK_TYPE_MASK = 0x03ffffff;

export class PcapReader implements FrameReader {
  private readonly queue = new ByteQueue();
  private littleEndian = true;
  /** Nanoseconds per unit of the record's second fraction: 1000 (microsecond magic) or 1. */
  private nsPerUnit = 0;
  private linkType = -1;
  private failed = false;

  constructor(readonly problems = new ProblemLog()) {}

  push(chunk: Uint8Array): Frame[] {
    if (this.failed) return [];
    this.queue.push(chunk);
    const frames: Frame[] = [];
    if (this.linkType < 0 && !this.readFileHeader()) return frames;
    while (!this.failed && this.queue.length >= RECORD_HEADER_BYTES) {
      const frame = this.readRecord();
      if (!frame) break;
      frames.push(frame);
    }
    return frames;
  }

  end(): Frame[] {
    const q = this.queue;
    if (!this.failed && q.length > 0) {
      const what = this.linkType < 0 ? "file header" : "last record";
      this.problems.add(q.offset, `truncated ${what}: the file ends ${q.length} bytes into it`);
    }
    q.clear();
    return [];
  }

  private fail(offset: number, message: string) {
    this.problems.add(offset, message);
    this.failed = true;
    this.queue.clear();
  }

  private readFileHeader(): boolean {
    const q = this.queue;
    if (q.length < FILE_HEADER_BYTES) return false;
    const view = dataView(q.peek(FILE_HEADER_BYTES));
    const magicLE = view.getUint32(0, true);
    const magicBE = view.getUint32(0, false);
    if (magicLE === PCAP_MAGIC_MICRO || magicLE === PCAP_MAGIC_NANO) this.littleEndian = true;
    else if (magicBE === PCAP_MAGIC_MICRO || magicBE === PCAP_MAGIC_NANO) this.littleEndian = false;
    else {
      this.fail(q.offset, `not a pcap file: magic 0x${magicBE.toString(16).padStart(8, "0")}`);
      return false;
    }
    const le = this.littleEndian;
    this.nsPerUnit = view.getUint32(0, le) === PCAP_MAGIC_NANO ? 1 : 1000;
    const major = view.getUint16(4, le);
    if (major !== 2) {
      this.fail(q.offset, `unsupported pcap version ${major}.${view.getUint16(6, le)}`);
      return false;
    }
    this.linkType = view.getUint32(20, le) & LINK_TYPE_MASK;
    q.skip(FILE_HEADER_BYTES);
    return true;
  }

  /** The next record if it is all here; undefined to wait for more (or after a fatal problem). */
  private readRecord(): Frame | undefined {
    const q = this.queue;
    const le = this.littleEndian;
    const head = dataView(q.peek(RECORD_HEADER_BYTES));
    const capLen = head.getUint32(8, le);
    if (capLen > MAX_RECORD_BYTES) {
      this.fail(q.offset, `record length ${capLen} is past the ${MAX_RECORD_BYTES}-byte limit: the file is corrupt`);
      return undefined;
    }
    if (q.length < RECORD_HEADER_BYTES + capLen) return undefined;
    const sec = head.getUint32(0, le);
    const frac = head.getUint32(4, le);
    const origLen = head.getUint32(12, le);
    const offset = q.offset;
    q.skip(RECORD_HEADER_BYTES);
    const data = q.take(capLen);
    const fracNs = frac * this.nsPerUnit;
    return {
      ts: sec * 1000 + fracNs / 1e6,
      tsNs: BigInt(sec) * 1_000_000_000n + BigInt(fracNs),
      linkType: this.linkType,
      interface: 0,
      data,
      origLen,
      offset,
    };
  }
}
