/**
 * What an imported capture says, as `POST /api/captures` and `GET /api/captures/{id}` answer it:
 * counts by packet type, each MQTT connection with its flows, the flows by state, and what was
 * wrong (malformed packets with the rule they break, TCP gaps, problems with the file).
 */
import type { CaptureProblem } from "../capture/types";
import type { ConnectionSummary, MqttPacketType } from "../capture/mqtt-types";
import type { CaptureRecord } from "../store/captures";
import type { FlowCounts, HopFlows } from "./capture-trace";

/** Connections a summary lists; `connectionsOmitted` counts the rest. */
export const MAX_CONNECTIONS_LISTED = 1000;

export interface CaptureConnection extends ConnectionSummary {
  /** The hop its packets are on in the trace: the client id, else the connection's label. */
  hop: string;
  flows: HopFlows;
}

export interface CaptureSummary {
  id: string;
  name: string;
  /** The file's size. */
  bytes: number;
  frames: number;
  mqttPackets: number;
  byType: Partial<Record<MqttPacketType, number>>;
  connections: CaptureConnection[];
  connectionsOmitted: number;
  flows: FlowCounts;
  malformed: number;
  /** Packets the capture holds only part of (it started or broke off inside them). */
  truncated: number;
  tcpGaps: number;
  retransmissions: number;
  skippedBytes: number;
  malformedPackets: { hop: string; ts: number; dir: "c2s" | "s2c"; rule: string; reason: string; error: string }[];
  anomalies: { hop: string; flow: string; text: string }[];
  anomalyCount: number;
  /** The devices whose messages it holds (at most MAX_DEVICES_LISTED), for their Delivery panels. */
  devices: string[];
  problems: CaptureProblem[];
  createdAt: number;
  createdBy: string;
}

/** A kept capture as GET /api/captures lists it: its record and the summary's headline counts. */
export function listedCapture(r: CaptureRecord) {
  const s = JSON.parse(r.summary) as CaptureSummary;
  return { id: r.id, name: r.name, bytes: r.bytes, createdAt: r.createdAt, createdBy: r.createdBy, mqttPackets: s.mqttPackets, flows: s.flows, malformed: s.malformed, tcpGaps: s.tcpGaps };
}
