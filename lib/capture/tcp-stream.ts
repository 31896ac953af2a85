/**
 * One direction of a TCP connection, put back in order: segments in (any order, repeated,
 * overlapping), each byte out once. A segment ahead of the next expected byte waits, within
 * bounds, for the hole before it to fill; a hole that will not fill becomes a gap event, so the
 * consumer knows its bytes are missing rather than getting the bytes after it as if they followed.
 * Sequence numbers are compared modulo 2^32 [RFC 9293 3.4], so a stream may wrap.
 */
import type { Direction, GapReason, TcpConnection, TcpStreamEvent } from "./types";

/** Counters and the memory bound shared by all the streams of one reassembler. */
export interface StreamContext {
  limits: StreamLimits;
  retransmissions: number;
  gaps: number;
  /** Bytes held out of order, over all streams. */
  heldBytes: number;
}

export interface StreamLimits {
  /** Out-of-order segments one stream may hold before it gives up on its first hole. */
  maxHeldSegments: number;
  maxHeldBytes: number;
  /** The same, over all streams at once. */
  maxHeldTotalBytes: number;
  /** How long, in capture time, a hole may stay open before it counts as lost. */
  holeTimeoutMs: number;
  /**
   * How long, in capture time, a hole the other side acknowledged may still fill. A capture on a
   * busy multi-core host can record a segment after the acknowledgement it caused (each core
   * timestamps its own packets), so an acknowledged hole is only likely lost, not certainly.
   */
  ackGraceMs: number;
}

interface Held {
  seq: number;
  bytes: Uint8Array;
  fin: boolean;
  ts: number;
}

/** `a - b` as a signed 32-bit distance: positive when `a` comes after `b`. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export class TcpStream {
  /** The sequence number of the next byte to pass on; unknown until a SYN or the first data. */
  private next: number | undefined;
  private held: Held[] = [];
  private heldBytes = 0;
  /** Set when the stream was first seen mid-way: its first bytes follow an unknown number of others. */
  private startUnknown = false;
  /** The FIN was reached (or the connection reset): nothing more is passed on. */
  finished = false;
  /** The initial sequence number, when the SYN was seen. */
  isn: number | undefined;
  /** The furthest the other side acknowledged past `next`, and when it first did. */
  private ackedTo: number | undefined;
  private ackedAt = 0;

  constructor(
    private readonly conn: TcpConnection,
    private readonly dir: Direction,
    private readonly ctx: StreamContext,
  ) {}

  /** A SYN: the stream starts right after its sequence number, which the SYN itself uses up. */
  syn(seq: number): void {
    if (this.next !== undefined) return;
    this.isn = seq;
    this.next = (seq + 1) >>> 0;
  }

  /** A segment's payload starting at `seq`, with its FIN flag. */
  segment(seq: number, payload: Uint8Array, fin: boolean, ts: number, out: TcpStreamEvent[]): void {
    if (payload.length === 0 && !fin) return;
    if (this.next === undefined) {
      this.next = seq;
      this.startUnknown = true;
    }
    if (this.finished) {
      // After the end only repeats can come; anything past the FIN is not part of the stream.
      if (payload.length > 0 && seqDiff(seq, this.next) < 0) this.ctx.retransmissions++;
      return;
    }
    const trimmed = this.trim({ seq, bytes: payload, fin, ts });
    if (trimmed) this.insert(trimmed);
    this.drain(out);
    this.expire(ts, out);
    this.bound(ts, out);
  }

  /**
   * The other side acknowledged up to `ack`. A hole it acknowledged was delivered to it, so unless
   * the capture recorded its segment late (within `ackGraceMs`) the capture missed it and no
   * retransmission will fill it: it becomes a gap. Only holes before held data are judged, so a
   * stray acknowledgement cannot invent bytes that were never sent.
   */
  acked(ack: number, ts: number, out: TcpStreamEvent[]): void {
    if (this.next !== undefined && !this.finished && seqDiff(ack, this.next) > 0) {
      if (this.ackedTo === undefined) this.ackedAt = ts;
      if (this.ackedTo === undefined || seqDiff(ack, this.ackedTo) > 0) this.ackedTo = ack;
    }
    this.expire(ts, out);
  }

  /** Declares the acknowledged holes lost once their grace is over. */
  private judgeAcked(ts: number, out: TcpStreamEvent[]) {
    const ack = this.ackedTo;
    if (ack === undefined || this.held.length === 0 || ts - this.ackedAt < this.ctx.limits.ackGraceMs) return;
    while (this.held.length > 0 && !this.finished && seqDiff(ack, this.next!) > 0) {
      const first: number = this.held[0]!.seq;
      const end: number = seqDiff(ack, first) < 0 ? ack : first;
      this.skipTo(end, "lost", ts, out);
      if (end === ack) break;
    }
    this.ackedTo = undefined;
  }

  /** Gives up on every hole: held bytes are passed on, each run after a gap. */
  flush(ts: number, out: TcpStreamEvent[]): void {
    while (this.held.length > 0) this.skipTo(this.held[0]!.seq, "lost", ts, out);
  }

  /** The connection is over (reset, evicted, capture ended): flush, then accept nothing more. */
  close(ts: number, out: TcpStreamEvent[]): void {
    this.flush(ts, out);
    this.finished = true;
  }

  /**
   * The part of a segment not yet passed on, or undefined if it is all old. Its repeated bytes
   * are counted once per segment however many they are: the count is of retransmissions, not bytes.
   */
  private trim(h: Held): Held | undefined {
    const next = this.next!;
    const d = seqDiff(h.seq, next);
    if (d >= 0) return h;
    const repeated = Math.min(-d, h.bytes.length);
    if (repeated > 0) this.ctx.retransmissions++;
    const bytes = h.bytes.subarray(repeated);
    const finAhead = h.fin && seqDiff(h.seq + h.bytes.length, next) >= 0;
    if (bytes.length === 0 && !finAhead) return undefined;
    return { ...h, seq: next, bytes };
  }

  /** Files a segment by sequence number; equal ones keep their arrival order. */
  private insert(h: Held) {
    let i = this.held.length;
    while (i > 0 && seqDiff(this.held[i - 1]!.seq, h.seq) > 0) i--;
    this.held.splice(i, 0, h);
    this.heldBytes += h.bytes.length;
    this.ctx.heldBytes += h.bytes.length;
  }

  /** Passes on held segments from the front while they continue the stream. */
  private drain(out: TcpStreamEvent[]) {
    while (this.held.length > 0 && seqDiff(this.held[0]!.seq, this.next!) <= 0) {
      const first = this.held.shift()!;
      this.release(first.bytes.length);
      const h = this.trim(first);
      if (!h) continue;
      if (h.bytes.length > 0) {
        if (this.startUnknown) {
          this.startUnknown = false;
          this.emitGap(undefined, "capture-start", h.ts, out);
        }
        out.push({ kind: "data", conn: this.conn, dir: this.dir, ts: h.ts, bytes: h.bytes });
        this.next = (this.next! + h.bytes.length) >>> 0;
        if (this.ackedTo !== undefined && seqDiff(this.ackedTo, this.next) <= 0) this.ackedTo = undefined;
      }
      if (h.fin) {
        // The FIN uses one sequence number; anything held beyond it is not part of the stream.
        this.next = (this.next! + 1) >>> 0;
        this.finished = true;
        for (const rest of this.held) this.release(rest.bytes.length);
        this.held = [];
      }
    }
  }

  /** Declares the bytes up to `seq` missing and carries on from there. */
  private skipTo(seq: number, reason: GapReason, ts: number, out: TcpStreamEvent[]) {
    const missing = seqDiff(seq, this.next!);
    if (missing > 0) {
      // The unknown start is subsumed: the consumer resynchronises after this gap either way.
      if (this.startUnknown) this.startUnknown = false;
      this.emitGap(missing, reason, ts, out);
      this.next = seq;
    }
    this.drain(out);
  }

  private emitGap(bytes: number | undefined, reason: GapReason, ts: number, out: TcpStreamEvent[]) {
    this.ctx.gaps++;
    out.push({ kind: "gap", conn: this.conn, dir: this.dir, ts, bytes, reason });
  }

  /** A hole older than the timeout, or acknowledged past its grace, will not fill now: give up on it. */
  private expire(ts: number, out: TcpStreamEvent[]) {
    this.judgeAcked(ts, out);
    while (this.held.length > 0 && ts - this.held[0]!.ts >= this.ctx.limits.holeTimeoutMs) this.skipTo(this.held[0]!.seq, "lost", ts, out);
  }

  private bound(ts: number, out: TcpStreamEvent[]) {
    const { maxHeldSegments, maxHeldBytes, maxHeldTotalBytes } = this.ctx.limits;
    while (this.held.length > 0 && (this.held.length > maxHeldSegments || this.heldBytes > maxHeldBytes || this.ctx.heldBytes > maxHeldTotalBytes)) {
      this.skipTo(this.held[0]!.seq, "buffer-full", ts, out);
    }
  }

  private release(bytes: number) {
    this.heldBytes -= bytes;
    this.ctx.heldBytes -= bytes;
  }
}
