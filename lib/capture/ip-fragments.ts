/**
 * Puts fragmented IP datagrams back together, IPv4 and IPv6 alike: fragments are filed under a
 * key naming their datagram, and the datagram is handed back once its pieces cover it from 0 to
 * the end the last fragment gives. Memory is bounded by datagrams and bytes held; a datagram not
 * completed within the timeout, in capture time, is dropped and its fragments counted.
 */

/** RFC 791 suggests 15 s and RFC 8200 60 s; Linux waits 30 s (ipfrag_time) for both. */
export const FRAGMENT_TIMEOUT_MS = 30_000;
export const MAX_DATAGRAMS_IN_REASSEMBLY = 256;
export const MAX_REASSEMBLY_BYTES = 4 * 1024 * 1024;
/** No reassembled datagram may exceed 65,535 bytes [RFC 791 3.1, RFC 8200 4.5]. */
const MAX_DATAGRAM_BYTES = 65_535;

interface Piece {
  offset: number;
  bytes: Uint8Array;
}

interface Pending {
  pieces: Piece[];
  /** The datagram's length, known once its last fragment (More Fragments clear) arrived. */
  total: number | undefined;
  bytes: number;
  firstTs: number;
}

export interface FragmentLimits {
  timeoutMs: number;
  maxDatagrams: number;
  maxBytes: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  timeoutMs: FRAGMENT_TIMEOUT_MS,
  maxDatagrams: MAX_DATAGRAMS_IN_REASSEMBLY,
  maxBytes: MAX_REASSEMBLY_BYTES,
};

export class FragmentReassembler {
  /** In order of each datagram's first fragment, so the oldest is first to expire or be evicted. */
  private readonly pending = new Map<string, Pending>();
  private heldBytes = 0;
  /** Fragments thrown away: their datagram timed out, was evicted, or would have been too long. */
  dropped = 0;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  /** Files one fragment; returns the datagram's payload if this fragment completed it. */
  add(key: string, offset: number, bytes: Uint8Array, more: boolean, ts: number): Uint8Array | undefined {
    this.expire(ts);
    let p = this.pending.get(key);
    if (!p) {
      p = { pieces: [], total: undefined, bytes: 0, firstTs: ts };
      this.pending.set(key, p);
    }
    const end = offset + bytes.length;
    if (end > MAX_DATAGRAM_BYTES || (p.total !== undefined && end > p.total) || (!more && p.total !== undefined && end !== p.total)) {
      // Inconsistent with what the datagram's other fragments said: nothing sound can be built.
      this.drop(key, p, 1);
      return undefined;
    }
    if (!more) p.total = end;
    p.pieces.push({ offset, bytes });
    p.bytes += bytes.length;
    this.heldBytes += bytes.length;
    const whole = assemble(p);
    if (whole) {
      this.forget(key, p);
      return whole;
    }
    this.bound();
    return undefined;
  }

  /** Drops datagrams whose first fragment is older than the timeout. */
  expire(ts: number): void {
    for (const [key, p] of this.pending) {
      if (ts - p.firstTs < this.limits.timeoutMs) break;
      this.drop(key, p);
    }
  }

  private bound() {
    for (const [key, p] of this.pending) {
      if (this.pending.size <= this.limits.maxDatagrams && this.heldBytes <= this.limits.maxBytes) break;
      this.drop(key, p);
    }
  }

  private drop(key: string, p: Pending, extra = 0) {
    this.dropped += p.pieces.length + extra;
    this.forget(key, p);
  }

  private forget(key: string, p: Pending) {
    this.heldBytes -= p.bytes;
    this.pending.delete(key);
  }
}

/** The datagram if its pieces cover 0 to its end without a hole; overlapping bytes: first come wins. */
function assemble(p: Pending): Uint8Array | undefined {
  if (p.total === undefined) return undefined;
  const sorted = [...p.pieces].sort((a, b) => a.offset - b.offset);
  let covered = 0;
  for (const piece of sorted) {
    if (piece.offset > covered) return undefined;
    covered = Math.max(covered, piece.offset + piece.bytes.length);
  }
  if (covered < p.total) return undefined;
  const whole = new Uint8Array(p.total);
  // Later pieces first, so the earliest arrival's bytes are the ones left standing.
  for (let i = p.pieces.length - 1; i >= 0; i--) whole.set(p.pieces[i]!.bytes, p.pieces[i]!.offset);
  return whole;
}
