/**
 * Cuts one endless pcap stream (tcpdump's `-w -`) into files that each stand alone: a cut falls
 * between two records, and every file after the first starts with the stream's own file header.
 * So a long live capture is kept as segments that can be opened while the capture goes on,
 * without a second tcpdump (whose start would miss packets). pcapng is not cut: tcpdump writes
 * pcap to a pipe.
 */
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from "../capture/pcap";

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export type CutPiece = { kind: "bytes"; bytes: Uint8Array } | { kind: "cut"; header: Uint8Array };

export class PcapCutter {
  private header: Uint8Array | null = null;
  /** Bytes of the file or record header read so far, when a chunk ended inside one. */
  private partial: Uint8Array = new Uint8Array(0);
  /** Bytes of the current record's data still to come. */
  private inRecord = 0;
  private littleEndian = true;
  private cutWanted = false;
  /** Set when the stream is not pcap: it is passed on whole, never cut. */
  private uncuttable = false;

  /** Cut at the next record boundary. */
  requestCut(): void {
    this.cutWanted = true;
  }

  push(chunk: Uint8Array): CutPiece[] {
    if (this.uncuttable) return [{ kind: "bytes", bytes: chunk }];
    const out: CutPiece[] = [];
    let start = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.inRecord > 0) {
        const n = Math.min(this.inRecord, chunk.length - i);
        this.inRecord -= n;
        i += n;
        continue;
      }
      const want = this.header ? RECORD_HEADER : FILE_HEADER;
      if (this.header && this.partial.length === 0 && this.cutWanted) {
        // A record boundary with nothing of the next record read yet: the place to cut.
        if (i > start) out.push({ kind: "bytes", bytes: chunk.subarray(start, i) });
        start = i;
        this.cutWanted = false;
        out.push({ kind: "cut", header: this.header });
      }
      const n = Math.min(want - this.partial.length, chunk.length - i);
      this.partial = concat(this.partial, chunk.subarray(i, i + n));
      i += n;
      if (this.partial.length < want) break;
      const view = new DataView(this.partial.buffer, this.partial.byteOffset, this.partial.byteLength);
      if (!this.header) {
        const le = view.getUint32(0, true);
        const be = view.getUint32(0, false);
        if (le !== PCAP_MAGIC_MICRO && le !== PCAP_MAGIC_NANO && be !== PCAP_MAGIC_MICRO && be !== PCAP_MAGIC_NANO) {
          this.uncuttable = true;
          out.push({ kind: "bytes", bytes: chunk.subarray(start) });
          return out;
        }
        this.littleEndian = le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO;
        this.header = this.partial;
      } else {
        this.inRecord = view.getUint32(8, this.littleEndian);
      }
      this.partial = new Uint8Array(0);
    }
    if (i > start) out.push({ kind: "bytes", bytes: chunk.subarray(start, i) });
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}
