import type { ProblemLog } from "./problems";
import type { Frame } from "./types";

/**
 * The largest record or block a reader accepts. A length past it is taken as corruption and
 * reported, rather than waited for: otherwise one flipped bit would have the reader buffer the
 * rest of the file looking for the record's end.
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** A push-based reader of one capture file format: chunks in, frames out, problems logged. */
export interface FrameReader {
  /** The frames `chunk` completes. After a problem that loses the record boundaries, returns none. */
  push(chunk: Uint8Array): Frame[];
  /** The file is over: a partial record left over is reported as truncated. */
  end(): Frame[];
  readonly problems: ProblemLog;
}
