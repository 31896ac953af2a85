/**
 * The bytes of a file pushed in chunks of any size, read from the front. A reader waits until a
 * whole record is here, so at most one record plus one chunk is ever held; chunks are joined only
 * when a read spans them, and joined once, so bytes arriving one at a time cost linear time.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk, and where in it the next byte is. */
  private first = 0;
  private at = 0;
  /** Bytes pushed and not yet read. */
  length = 0;
  /** Bytes read (taken or skipped) so far: the file offset of the next byte. */
  offset = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The next `n` bytes (n <= length) as one view, left in the queue; valid until the next read. */
  peek(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const head = this.chunks[this.first]!;
    if (head.length - this.at >= n) return head.subarray(this.at, this.at + n);
    const joined = new Uint8Array(n);
    let filled = 0;
    let i = this.first;
    let from = this.at;
    while (filled < n) {
      const c = this.chunks[i]!;
      const part = Math.min(n - filled, c.length - from);
      joined.set(c.subarray(from, from + part), filled);
      filled += part;
      from += part;
      if (from === c.length) {
        i++;
        from = 0;
      }
    }
    // Put the joined bytes in place of what they came from, so the next peek finds them whole.
    const rest = i < this.chunks.length && from > 0 ? [this.chunks[i]!.subarray(from)] : [];
    const after = this.chunks.slice(from > 0 ? i + 1 : i);
    this.chunks = [joined, ...rest, ...after];
    this.first = 0;
    this.at = 0;
    return joined;
  }

  /** The next `n` bytes (n <= length) as a copy the caller owns. */
  take(n: number): Uint8Array {
    const bytes = this.peek(n).slice();
    this.skip(n);
    return bytes;
  }

  /** Drops up to `n` bytes; returns how many it dropped. */
  skip(n: number): number {
    let left = Math.min(n, this.length);
    const dropped = left;
    while (left > 0) {
      const c = this.chunks[this.first]!;
      const part = Math.min(left, c.length - this.at);
      this.at += part;
      left -= part;
      if (this.at === c.length) {
        this.first++;
        this.at = 0;
      }
    }
    this.length -= dropped;
    this.offset += dropped;
    if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    return dropped;
  }

  /** Forgets everything pending (after a fatal problem), keeping the offset where reading stopped. */
  clear(): void {
    this.chunks = [];
    this.first = 0;
    this.at = 0;
    this.length = 0;
  }
}
