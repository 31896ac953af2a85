/**
 * A capture file, chunk by chunk, to TCP stream events: file format, link layer, IP and TCP in
 * turn, with counters of what was read and what was passed over. Everything that goes wrong is a
 * problem in the counters, never a throw, so a damaged file still yields what came before the damage.
 */
import { CaptureFileReader } from "./capture-file";
import { IpDecoder } from "./ip";
import type { FragmentLimits } from "./ip-fragments";
import { decodeLink } from "./link";
import { ProblemLog } from "./problems";
import { TcpReassembler, type TcpLimits } from "./tcp";
import type { CaptureCounters, Frame, TcpStreamEvent } from "./types";

export interface CaptureReaderOptions {
  /** Ports that mark the server of a connection whose handshake was not captured. */
  serverPorts?: readonly number[];
  tcpLimits?: Partial<TcpLimits>;
  fragmentLimits?: FragmentLimits;
}

export class CaptureReader {
  private readonly problems = new ProblemLog();
  private readonly file = new CaptureFileReader(this.problems);
  private readonly ip: IpDecoder;
  private readonly tcp: TcpReassembler;
  /** Link types already reported as unsupported: one problem each, not one per frame. */
  private readonly unsupportedLinks = new Set<number>();
  private fileBytes = 0;
  private frames = 0;
  private bytes = 0;
  private nonTcp = 0;

  constructor(options: CaptureReaderOptions = {}) {
    this.ip = new IpDecoder(options.fragmentLimits);
    this.tcp = new TcpReassembler({ serverPorts: options.serverPorts, limits: options.tcpLimits });
  }

  /** The stream events the bytes of `chunk` complete. */
  push(chunk: Uint8Array): TcpStreamEvent[] {
    this.fileBytes += chunk.length;
    return this.frameEvents(this.file.push(chunk), []);
  }

  /** The file is over: held data is passed on after gaps, and every open connection closes. */
  end(): TcpStreamEvent[] {
    const out = this.frameEvents(this.file.end(), []);
    this.tcp.end(out);
    return out;
  }

  get counters(): CaptureCounters {
    return {
      fileBytes: this.fileBytes,
      frames: this.frames,
      bytes: this.bytes,
      nonTcp: this.nonTcp,
      ipFragments: this.ip.fragments,
      ipFragmentsDropped: this.ip.fragmentsDropped,
      retransmissions: this.tcp.retransmissions,
      tcpGaps: this.tcp.gaps,
      problems: [...this.problems.list],
      problemsOmitted: this.problems.omitted,
    };
  }

  private frameEvents(frames: Frame[], out: TcpStreamEvent[]): TcpStreamEvent[] {
    for (const frame of frames) this.frame(frame, out);
    return out;
  }

  private frame(frame: Frame, out: TcpStreamEvent[]) {
    this.frames++;
    this.bytes += frame.data.length;
    const link = decodeLink(frame.linkType, frame.data);
    if (link.kind !== "ip") {
      this.nonTcp++;
      if (link.kind === "malformed") this.problems.add(frame.offset, link.message);
      else if (link.kind === "unsupported" && !this.unsupportedLinks.has(frame.linkType)) {
        this.unsupportedLinks.add(frame.linkType);
        this.problems.add(frame.offset, `link type ${frame.linkType} is not supported: its frames are skipped`);
      }
      return;
    }
    const ip = this.ip.decode(link.packet, frame.ts);
    if (ip.kind === "fragment") return;
    if (ip.kind !== "tcp") {
      this.nonTcp++;
      if (ip.kind === "malformed") this.problems.add(frame.offset, ip.message);
      return;
    }
    const problem = this.tcp.segment(ip.datagram, frame.ts, out);
    if (problem) {
      this.nonTcp++;
      this.problems.add(frame.offset, problem);
    }
  }
}
