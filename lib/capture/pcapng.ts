/**
 * Reads pcapng: a file of blocks, each `type, total length, body, total length again`. A Section
 * Header Block starts each section and fixes its byte order; Interface Description Blocks in it
 * name the link type and timestamp resolution of each interface; packets come in Enhanced, Simple
 * or (obsolete) Packet Blocks. Any other block is skipped unread, however long, without buffering.
 * Layout: draft-ietf-opsawg-pcapng, sections 3 (block format), 4.1–4.4 and appendix A (Packet Block).
 */
import { ByteQueue } from "./byte-queue";
import { dataView } from "./bytes";
import { MAX_RECORD_BYTES, type FrameReader } from "./frame-reader";
import { ProblemLog } from "./problems";
import type { Frame } from "./types";

/** The Section Header Block's type, a palindrome so it reads the same in either byte order. */
export const PCAPNG_MAGIC = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
/** Smallest total length of each block: its fixed fields plus type and both lengths. */
const MIN_LENGTH: Record<number, number> = { [PCAPNG_MAGIC]: 28, [BLOCK_IDB]: 20, [BLOCK_PB]: 32, [BLOCK_SPB]: 16, [BLOCK_EPB]: 32 };
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Without if_tsresol, timestamps count microseconds [pcapng 4.2]. */
const DEFAULT_UNITS_PER_SECOND = 1_000_000n;

interface Interface {
  /** File-wide number, so interface 0 of a second section is not taken for the first one's. */
  number: number;
  linkType: number;
  snapLen: number;
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds to add to every timestamp. */
  offsetSeconds: bigint;
}

export class PcapngReader implements FrameReader {
  private readonly queue = new ByteQueue();
  private littleEndian = true;
  private inSection = false;
  private interfaces: Interface[] = [];
  private interfacesSeen = 0;
  /** An unknown block being skipped: bytes left before its trailing length, and what it must say. */
  private skipLeft = 0;
  private skipped: { length: number; offset: number } | undefined;
  /** A Simple Packet Block has no timestamp: it gets the one before it, to keep capture time in order. */
  private lastTs = 0;
  private lastTsNs = 0n;
  private failed = false;

  constructor(readonly problems = new ProblemLog()) {}

  push(chunk: Uint8Array): Frame[] {
    if (this.failed) return [];
    this.queue.push(chunk);
    const frames: Frame[] = [];
    while (!this.failed && this.step(frames));
    return frames;
  }

  end(): Frame[] {
    const q = this.queue;
    if (!this.failed && (q.length > 0 || this.skipped)) {
      const start = this.skipped?.offset ?? q.offset;
      this.problems.add(start, `truncated last block: the file ends ${q.offset + q.length - start} bytes into it`);
    }
    q.clear();
    return [];
  }

  /** A problem that loses the block boundaries: nothing after it can be read. */
  private fail(offset: number, message: string): false {
    this.problems.add(offset, message);
    this.failed = true;
    this.queue.clear();
    return false;
  }

  /** A problem confined to one block: it is skipped and reading goes on. */
  private skipBlock(offset: number, message: string): undefined {
    this.problems.add(offset, message);
    return undefined;
  }

  /** Reads one block, or part of a skipped one; false when it must wait for more bytes. */
  private step(frames: Frame[]): boolean {
    const q = this.queue;
    if (this.skipped) return this.skipUnknown();
    if (q.length < 8) return false;
    const offset = q.offset;
    const type = dataView(q.peek(8)).getUint32(0, this.littleEndian);
    if (type === PCAPNG_MAGIC) {
      if (q.length < 12) return false;
      const bom = dataView(q.peek(12)).getUint32(8, true);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else return this.fail(offset, `section header with an unknown byte-order magic 0x${bom.toString(16)}`);
    } else if (!this.inSection) {
      return this.fail(offset, `not a pcapng file: it starts with block type 0x${type.toString(16)}`);
    }
    const length = dataView(q.peek(8)).getUint32(4, this.littleEndian);
    const min = MIN_LENGTH[type] ?? 12;
    if (length < min || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
      const why = length > MAX_RECORD_BYTES ? `past the ${MAX_RECORD_BYTES}-byte limit` : length % 4 ? "not a multiple of 4" : `shorter than ${min}`;
      return this.fail(offset, `block type 0x${type.toString(16)} has length ${length}, ${why}: the file is corrupt`);
    }
    if (MIN_LENGTH[type] === undefined) {
      this.skipped = { length, offset };
      this.skipLeft = length - 4;
      return true;
    }
    if (q.length < length) return false;
    const block = q.peek(length);
    const view = dataView(block);
    const trailer = view.getUint32(length - 4, this.littleEndian);
    if (trailer !== length) return this.fail(offset, `block length ${length} at its start but ${trailer} at its end: the file is corrupt`);
    const frame = this.readBlock(type, block, view, offset);
    if (frame) frames.push(frame);
    q.skip(length);
    return true;
  }

  private skipUnknown(): boolean {
    const q = this.queue;
    const skipped = this.skipped!;
    if (this.skipLeft > 0) this.skipLeft -= q.skip(this.skipLeft);
    if (this.skipLeft > 0 || q.length < 4) return false;
    const trailer = dataView(q.peek(4)).getUint32(0, this.littleEndian);
    if (trailer !== skipped.length) return this.fail(skipped.offset, `block length ${skipped.length} at its start but ${trailer} at its end: the file is corrupt`);
    q.skip(4);
    this.skipped = undefined;
    return true;
  }

  private readBlock(type: number, block: Uint8Array, view: DataView, offset: number): Frame | undefined {
    const le = this.littleEndian;
    switch (type) {
      case PCAPNG_MAGIC: {
        const major = view.getUint16(12, le);
        if (major !== 1) {
          this.fail(offset, `unsupported pcapng version ${major}.${view.getUint16(14, le)}`);
          return undefined;
        }
        // A new section: its interfaces are numbered afresh [pcapng 4.1].
        this.inSection = true;
        this.interfaces = [];
        return undefined;
      }
      case BLOCK_IDB:
        this.interfaces.push(this.readInterface(block, view, offset));
        return undefined;
      case BLOCK_EPB:
        return this.packet(block, view, offset, view.getUint32(8, le), "enhanced");
      case BLOCK_PB:
        return this.packet(block, view, offset, view.getUint16(8, le), "packet");
      case BLOCK_SPB:
        return this.simplePacket(block, view, offset);
    }
    return undefined;
  }

  private readInterface(block: Uint8Array, view: DataView, offset: number): Interface {
    const le = this.littleEndian;
    const iface: Interface = {
      number: this.interfacesSeen++,
      linkType: view.getUint16(8, le),
      snapLen: view.getUint32(12, le),
      unitsPerSecond: DEFAULT_UNITS_PER_SECOND,
      offsetSeconds: 0n,
    };
    const wellFormed = readOptions(block, view, 16, le, (code, at, length) => {
      if (code === OPT_IF_TSRESOL && length >= 1) {
        // High bit clear: 10^-n seconds; set: 2^-n seconds [pcapng 4.2, if_tsresol].
        const r = block[at]!;
        iface.unitsPerSecond = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
      } else if (code === OPT_IF_TSOFFSET && length >= 8) iface.offsetSeconds = view.getBigInt64(at, le);
    });
    if (!wellFormed) this.problems.add(offset, "interface description block whose options run past it: the rest ignored");
    return iface;
  }

  /** An Enhanced or obsolete Packet Block: the same fields after the interface id. */
  private packet(block: Uint8Array, view: DataView, offset: number, ifId: number, kind: string): Frame | undefined {
    const le = this.littleEndian;
    const iface = this.interfaces[ifId];
    if (!iface) return this.skipBlock(offset, `${kind} packet block for interface ${ifId}, which this section has not described: skipped`);
    const capLen = view.getUint32(20, le);
    if (capLen > block.length - 32) return this.skipBlock(offset, `${kind} packet block whose captured length ${capLen} runs past the block: skipped`);
    const units = (BigInt(view.getUint32(12, le)) << 32n) | BigInt(view.getUint32(16, le));
    const seconds = units / iface.unitsPerSecond;
    const rest = units % iface.unitsPerSecond;
    const wholeSeconds = seconds + iface.offsetSeconds;
    this.lastTs = Number(wholeSeconds) * 1000 + (Number(rest) * 1000) / Number(iface.unitsPerSecond);
    this.lastTsNs = wholeSeconds * 1_000_000_000n + (rest * 1_000_000_000n) / iface.unitsPerSecond;
    return this.frame(iface, block.slice(28, 28 + capLen), view.getUint32(24, le), offset);
  }

  private simplePacket(block: Uint8Array, view: DataView, offset: number): Frame | undefined {
    const iface = this.interfaces[0];
    if (!iface) return this.skipBlock(offset, "simple packet block before any interface description: skipped");
    const origLen = view.getUint32(8, this.littleEndian);
    // Its captured length is implied: the packet, cut at the snapshot length, padded to 4 [pcapng 4.4].
    let capLen = Math.min(origLen, block.length - 16);
    if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
    return this.frame(iface, block.slice(12, 12 + capLen), origLen, offset);
  }

  private frame(iface: Interface, data: Uint8Array, origLen: number, offset: number): Frame {
    return { ts: this.lastTs, tsNs: this.lastTsNs, linkType: iface.linkType, interface: iface.number, data, origLen, offset };
  }
}

/**
 * Calls `onOption` with each option's code, value offset and length, from `from` to the block's
 * trailing length. Returns false if an option runs past the block.
 */
function readOptions(block: Uint8Array, view: DataView, from: number, le: boolean, onOption: (code: number, at: number, length: number) => void): boolean {
  const end = block.length - 4;
  let at = from;
  while (at + 4 <= end) {
    const code = view.getUint16(at, le);
    const length = view.getUint16(at + 2, le);
    if (code === OPT_END) return true;
    if (at + 4 + length > end) return false;
    onOption(code, at + 4, length);
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return true;
}
