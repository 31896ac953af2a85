/**
 * One direction of a TLS connection, counted and never decrypted: its records (RFC 8446 §5.1,
 * and the same five-byte header in TLS 1.0–1.2) by their headers, and its bytes. After a hole the
 * next record header is searched for like any frame boundary (resync.ts).
 */
import { findSync, SearchBuffer, type Candidate } from "./resync";

/** A record's payload is at most 2^14 bytes plus what protection adds (RFC 5246 §6.2.3: 2048). */
const MAX_RECORD_PAYLOAD = 16_384 + 2048;
const HEADER_BYTES = 5;

/** Whether a TLS record plausibly starts at `at`: a content type 20–24, version 3.0–3.4, a length in range. */
export function recordCandidate(bytes: Uint8Array, at: number, end: number): Candidate {
  const type = bytes[at]!;
  if (type < 20 || type > 24) return { kind: "no" };
  if (end - at < 2) return { kind: "more" };
  if (bytes[at + 1] !== 3) return { kind: "no" };
  if (end - at < 3) return { kind: "more" };
  if (bytes[at + 2]! > 4) return { kind: "no" };
  if (end - at < HEADER_BYTES) return { kind: "more" };
  const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
  if (length === 0 || length > MAX_RECORD_PAYLOAD) return { kind: "no" };
  return { kind: "frame", length: HEADER_BYTES + length };
}

/** Whether `bytes` could begin a TLS connection: a handshake record header, as far as it goes. */
export function looksLikeTls(bytes: Uint8Array): boolean | "more" {
  if (bytes.length === 0) return "more";
  if (bytes[0] !== 0x16) return false;
  if (bytes.length < 2) return "more";
  if (bytes[1] !== 0x03) return false;
  if (bytes.length < 3) return "more";
  return bytes[2]! <= 0x04;
}

export class TlsCounter {
  records = 0;
  bytes = 0;
  private header = new Uint8Array(HEADER_BYTES);
  private headerLength = 0;
  /** Payload bytes of the current record still to pass. */
  private left = 0;
  private searching = false;
  private readonly search = new SearchBuffer();

  startMidStream(): void {
    this.searching = true;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.searching) {
      this.search.append(chunk, 0);
      this.resync(false);
    } else this.read(chunk);
  }

  gap(): void {
    while (this.searching && this.search.length > 0) this.resync(true);
    this.headerLength = 0;
    this.left = 0;
    this.searching = true;
  }

  private read(chunk: Uint8Array) {
    let i = 0;
    while (i < chunk.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, chunk.length - i);
        this.left -= take;
        i += take;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++]!;
      if (this.headerLength < HEADER_BYTES) continue;
      const c = recordCandidate(this.header, 0, HEADER_BYTES);
      this.headerLength = 0;
      if (c.kind !== "frame") {
        // Not a record header: the boundaries are lost, look for the next.
        this.searching = true;
        this.search.append(this.header.subarray(1), 0);
        this.search.append(chunk.subarray(i), 0);
        this.resync(false);
        return;
      }
      this.records++;
      this.left = c.length - HEADER_BYTES;
    }
  }

  private resync(final: boolean) {
    if (!this.searching) return;
    const buf = this.search.bytes;
    const result = findSync(buf, buf.length, final, recordCandidate);
    if (!result.found) {
      this.search.drop(result.at);
      return;
    }
    const rest = buf.subarray(result.at);
    this.search.clear();
    this.searching = false;
    this.read(rest);
  }
}
