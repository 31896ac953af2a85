/**
 * A capture file to MQTT: the bytes of a pcap or pcapng file, pushed in chunks of any size, run
 * through the capture core (CaptureReader: frames to TCP stream events) and the MQTT decoder
 * (MqttStreamDecoder: stream events to packets), giving the packets and the summaries of the
 * connections that closed, chunk by chunk, and the totals so far. Nothing is kept beyond the open
 * connections' state: what to keep of the output is the caller's choice.
 */
import { CaptureReader } from "./packets";
import type { FragmentLimits } from "./ip-fragments";
import type { TcpLimits } from "./tcp";
import type { CaptureProblem, TcpStreamEvent } from "./types";
import { MqttStreamDecoder, type MqttStreamOptions, type MqttStreamOutput } from "./mqtt-stream";
import type { ConnectionSummary, PacketCounts } from "./mqtt-types";

export interface MqttCaptureOptions extends MqttStreamOptions {
  tcpLimits?: Partial<TcpLimits>;
  fragmentLimits?: FragmentLimits;
}

export interface MqttCaptureTotals {
  /** Bytes of the file read so far. */
  fileBytes: number;
  frames: number;
  /** Captured frame bytes. */
  bytes: number;
  /** Connections found to carry MQTT (over TCP, WebSocket or TLS), closed so far. */
  connections: number;
  /** Closed connections that carried something else. */
  otherConnections: number;
  mqttPackets: number;
  byType: PacketCounts;
  malformed: number;
  truncated: number;
  skippedBytes: number;
  tcpGaps: number;
  retransmissions: number;
  /** Problems with the file itself (capped, see `problemsOmitted`); a connection's own are in its summary. */
  problems: CaptureProblem[];
  problemsOmitted: number;
}

export class MqttCapture {
  private readonly reader: CaptureReader;
  private readonly mqtt: MqttStreamDecoder;
  private packets = 0;
  private readonly byType: PacketCounts = {};
  private malformed = 0;
  private truncated = 0;
  private skippedBytes = 0;

  constructor(options: MqttCaptureOptions = {}) {
    this.mqtt = new MqttStreamDecoder(options);
    this.reader = new CaptureReader({ serverPorts: this.mqtt.serverPorts, tcpLimits: options.tcpLimits, fragmentLimits: options.fragmentLimits });
  }

  /** The packets, and the summaries of connections that closed, that `chunk` completes. */
  push(chunk: Uint8Array): MqttStreamOutput {
    return this.decode(this.reader.push(chunk));
  }

  /** The file is over: every connection still open closes, giving its last packets and its summary. */
  end(): MqttStreamOutput {
    return this.decode(this.reader.end());
  }

  get totals(): MqttCaptureTotals {
    const c = this.reader.counters;
    return {
      fileBytes: c.fileBytes,
      frames: c.frames,
      bytes: c.bytes,
      connections: this.mqtt.mqttConnections,
      otherConnections: this.mqtt.otherConnections,
      mqttPackets: this.packets,
      byType: { ...this.byType },
      malformed: this.malformed,
      truncated: this.truncated,
      skippedBytes: this.skippedBytes,
      tcpGaps: c.tcpGaps,
      retransmissions: c.retransmissions,
      problems: c.problems,
      problemsOmitted: c.problemsOmitted,
    };
  }

  /** Summaries of the MQTT connections still open, as they stand. */
  openConnections(): ConnectionSummary[] {
    return this.mqtt.openConnections();
  }

  private decode(events: TcpStreamEvent[]): MqttStreamOutput {
    const out: MqttStreamOutput = { packets: [], connections: [] };
    for (const e of events) this.mqtt.handle(e, out);
    for (const p of out.packets) {
      this.packets++;
      this.byType[p.packet.type] = (this.byType[p.packet.type] ?? 0) + 1;
      if (p.packet.type === "MALFORMED") {
        if (p.packet.error === "truncated") this.truncated++;
        else this.malformed++;
      }
    }
    for (const s of out.connections) this.skippedBytes += s.skippedBytes;
    return out;
  }
}
