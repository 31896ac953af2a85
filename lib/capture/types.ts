/**
 * The types a capture file turns into, from frames to TCP stream events: one home, importing
 * nothing, so a consumer (the wire trace, a test, the browser) can name them without pulling in
 * a reader. See `packets.ts` for how a file becomes these.
 */

/** One captured frame, as a pcap record or a pcapng packet block holds it. */
export interface Frame {
  /** Capture time in epoch milliseconds (fractional). Precise to about a quarter microsecond. */
  ts: number;
  /** Capture time in epoch nanoseconds, exact where the file's resolution allows (cut to whole ns if finer). */
  tsNs: bigint;
  /** The link-layer header type (LINKTYPE_* from the tcpdump.org registry) of the frame's interface. */
  linkType: number;
  /** The interface in file order: pcap has one (0); pcapng counts its interface blocks across sections. */
  interface: number;
  /** The captured bytes: a copy owned by the frame, at most the snapshot length. */
  data: Uint8Array;
  /** The frame's length on the wire; more than `data.length` when the snapshot length cut it. */
  origLen: number;
  /** Where the frame's record or block starts in the file, for problems found in its contents. */
  offset: number;
}

/** Something wrong in the file, where it was found. Reported, never thrown. */
export interface CaptureProblem {
  /** Byte offset in the file: of the record or block at fault, or of the frame whose contents are. */
  offset: number;
  message: string;
}

export interface Endpoint {
  /** IPv4 dotted quad or IPv6 text in its RFC 5952 form. */
  address: string;
  port: number;
}

/** One TCP connection, the same object in every event about it. */
export interface TcpConnection {
  /** Numbered in the order connections were first seen, from 1. */
  readonly id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** True when the SYN or SYN-ACK was captured, so which side is the client is known, not guessed from ports. */
  readonly handshake: boolean;
}

export type Direction = "c2s" | "s2c";

/**
 * Why a stream has a hole: bytes lost before the capture saw them (acknowledged by the peer, or
 * never filled before a timeout or the connection's end), held segments given up to stay within
 * memory, or the capture starting after the connection did (how much came before is unknown).
 */
export type GapReason = "lost" | "buffer-full" | "capture-start";

export type CloseReason = "fin" | "rst" | "capture-end" | "evicted" | "reused";

export type TcpStreamEvent =
  | { kind: "open"; conn: TcpConnection; ts: number }
  /** Bytes in stream order, each passed on once; `ts` is the time of the segment that carried them. */
  | { kind: "data"; conn: TcpConnection; dir: Direction; ts: number; bytes: Uint8Array }
  /** The stream skips `bytes` bytes here (unknown for "capture-start"): a consumer must resynchronise. */
  | { kind: "gap"; conn: TcpConnection; dir: Direction; ts: number; bytes: number | undefined; reason: GapReason }
  | { kind: "close"; conn: TcpConnection; ts: number; reason: CloseReason };

export interface CaptureCounters {
  /** Bytes pushed so far (the file read), for progress. */
  fileBytes: number;
  frames: number;
  /** Captured frame bytes. */
  bytes: number;
  /** Frames that carried no TCP: other link or network protocols, malformed or cut headers. */
  nonTcp: number;
  /** IP fragments seen (each counts, also those that completed a datagram). */
  ipFragments: number;
  /** Fragments thrown away: their datagram never completed in time or exceeded the reassembly bounds. */
  ipFragmentsDropped: number;
  /** TCP segments whose payload repeated bytes already passed on, in whole or in part. */
  retransmissions: number;
  /** Gap events emitted. */
  tcpGaps: number;
  /** Problems found, at most `MAX_PROBLEMS`; `problemsOmitted` counts the rest. */
  problems: CaptureProblem[];
  problemsOmitted: number;
}
