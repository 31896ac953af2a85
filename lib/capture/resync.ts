/**
 * Finding the next frame boundary in a byte stream after a hole: shared by the MQTT, WebSocket
 * and TLS layers, each saying what a plausible header of its own looks like. A candidate is taken
 * only when the whole frame it announces is there and is followed by another plausible header
 * (or by the end of what is known), so a payload byte that happens to look like a header is
 * passed over rather than taken for a frame: nothing is invented.
 */

export type Candidate =
  /** No frame can start here. */
  | { kind: "no" }
  /** A frame may start here, but more bytes are needed to tell. */
  | { kind: "more" }
  /** A plausible header announcing a frame of `length` bytes, header included. */
  | { kind: "frame"; length: number };

export type CandidateAt = (bytes: Uint8Array, at: number, end: number) => Candidate;

/** Bytes one search holds while waiting for a candidate's frame to complete; past this, it is passed over. */
export const MAX_RESYNC_BYTES = 256 * 1024;

export type SyncResult =
  /** A frame boundary at `at`: the bytes before it are skipped. */
  | { found: true; at: number }
  /** None yet: the bytes before `at` are skipped, those from `at` must be kept for more to come. */
  | { found: false; at: number };

/**
 * Looks for a frame boundary in `bytes[0..end]`. `valid` may check the candidate frame's
 * contents. With `final`, nothing more will follow these bytes (the stream ended, or another hole
 * comes next), so a frame reaching exactly the end is taken and nothing is waited for.
 */
export function findSync(bytes: Uint8Array, end: number, final: boolean, candidateAt: CandidateAt, valid?: (at: number, length: number) => boolean): SyncResult {
  for (let at = 0; at < end; at++) {
    const c = candidateAt(bytes, at, end);
    if (c.kind === "no") continue;
    if (c.kind === "more") {
      if (final) continue;
      return { found: false, at };
    }
    const next = at + c.length;
    if (next > end) {
      if (final || end - at >= MAX_RESYNC_BYTES) continue;
      return { found: false, at };
    }
    if (valid && !valid(at, c.length)) continue;
    if (next === end) {
      if (final) return { found: true, at };
      return { found: false, at };
    }
    const after = candidateAt(bytes, next, end);
    if (after.kind === "frame") return { found: true, at };
    if (after.kind === "more") {
      if (final) return { found: true, at };
      return { found: false, at };
    }
  }
  return { found: false, at: end };
}

/** Bytes gathered while searching, joined as they come, each run remembering when it came. */
export class SearchBuffer {
  bytes = new Uint8Array(0);
  /** Where each appended run ends in `bytes`, and its time. */
  private ends: number[] = [];
  private times: number[] = [];

  get length(): number {
    return this.bytes.length;
  }

  append(chunk: Uint8Array, ts: number): void {
    if (chunk.length === 0) return;
    if (this.bytes.length === 0) this.bytes = chunk.slice();
    else {
      const joined = new Uint8Array(this.bytes.length + chunk.length);
      joined.set(this.bytes);
      joined.set(chunk, this.bytes.length);
      this.bytes = joined;
    }
    this.ends.push(this.bytes.length);
    this.times.push(ts);
  }

  /** Drops the first `n` bytes. */
  drop(n: number): void {
    if (n >= this.bytes.length) return this.clear();
    this.bytes = this.bytes.slice(n);
    let k = 0;
    while (this.ends[k]! <= n) k++;
    this.ends = this.ends.slice(k).map((e) => e - n);
    this.times = this.times.slice(k);
  }

  /** The bytes from `from` on, in the runs they came in, with their times; the buffer is emptied. */
  takeFrom(from: number): [Uint8Array, number][] {
    const out: [Uint8Array, number][] = [];
    let start = from;
    for (let k = 0; k < this.ends.length; k++) {
      const end = this.ends[k]!;
      if (end <= start) continue;
      out.push([this.bytes.subarray(start, end), this.times[k]!]);
      start = end;
    }
    this.clear();
    return out;
  }

  clear(): void {
    this.bytes = new Uint8Array(0);
    this.ends = [];
    this.times = [];
  }
}
