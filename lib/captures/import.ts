import "server-only";
/**
 * Importing a capture: the file's bytes, as they arrive, go to disk as they are and through the
 * decoder (lib/capture/mqtt-capture.ts) into the trace (capture-trace.ts), whose events are
 * written one per line for the packets route. Streaming throughout: a 1 GB file never sits in
 * memory, and one past `maxBytes` is refused as soon as it passes it, its files removed.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { MqttCapture } from "../capture/mqtt-capture";
import type { MqttStreamOptions, MqttStreamOutput } from "../capture/mqtt-stream";
import type { ConnectionSummary } from "../capture/mqtt-types";
import { CaptureTrace } from "./capture-trace";
import { capturePaths, ensureCaptureDir, removeCaptureFiles } from "./files";
import { MAX_CONNECTIONS_LISTED, type CaptureConnection, type CaptureSummary } from "./summary";

export class CaptureTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the capture is larger than ${Math.round(maxBytes / 1024 / 1024)} MB (FLEETSCOPE_CAPTURE_MAX_MB)`);
    this.name = "CaptureTooLargeError";
  }
}

export interface ImportOptions {
  dir: string;
  id: string;
  name: string;
  maxBytes: number;
  actor: string;
  now: number;
  /** Called now and then with the bytes read so far. */
  onProgress?(bytes: number): void;
  /** Which server ports carry MQTT, beyond the defaults (lib/capture/mqtt-stream.ts). */
  ports?: MqttStreamOptions;
  /** Client ids of connections that began before the capture, by endpoints (capture-trace.ts). */
  clientIds?: ReadonlyMap<string, string>;
}

async function write(stream: WriteStream, data: Uint8Array | string): Promise<void> {
  if (!stream.write(data)) await once(stream, "drain");
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export async function importCapture(input: AsyncIterable<Uint8Array>, o: ImportOptions): Promise<CaptureSummary> {
  await ensureCaptureDir(o.dir);
  const paths = capturePaths(o.dir, o.id);
  const raw = createWriteStream(paths.raw);
  const lines = createWriteStream(paths.packets);
  const capture = new MqttCapture(o.ports);
  const trace = new CaptureTrace(o.clientIds);
  const closed: ConnectionSummary[] = [];
  let omitted = 0;
  const take = async (out: MqttStreamOutput) => {
    let text = "";
    for (const p of out.packets) {
      const e = trace.event(p);
      if (e) text += `${JSON.stringify(e)}\n`;
    }
    if (text) await write(lines, text);
    for (const c of out.connections) {
      if (closed.length < MAX_CONNECTIONS_LISTED) closed.push(c);
      else omitted++;
    }
  };
  let bytes = 0;
  try {
    for await (const chunk of input) {
      bytes += chunk.byteLength;
      if (bytes > o.maxBytes) throw new CaptureTooLargeError(o.maxBytes);
      await write(raw, chunk);
      await take(capture.push(chunk));
      o.onProgress?.(bytes);
    }
    await take(capture.end());
    await Promise.all([close(raw), close(lines)]);
  } catch (err) {
    raw.destroy();
    lines.destroy();
    await removeCaptureFiles(o.dir, o.id);
    throw err;
  }
  const flows = trace.finish();
  const t = capture.totals;
  const connections: CaptureConnection[] = closed.map((c) => {
    const hop = trace.hopOf(c.conn);
    // A client id known from before the capture is kept as the connection's, for the next segment to learn.
    return { ...c, ...(c.clientId === undefined && hop !== c.conn ? { clientId: hop } : {}), hop, flows: trace.flows.get(hop) ?? { byState: { complete: 0, in_flight: 0, stuck: 0 }, byQos: { "0": { complete: 0, in_flight: 0, stuck: 0 }, "1": { complete: 0, in_flight: 0, stuck: 0 }, "2": { complete: 0, in_flight: 0, stuck: 0 } } } };
  });
  const { MALFORMED: _malformed, ...byType } = t.byType;
  return {
    id: o.id,
    name: o.name,
    bytes,
    frames: t.frames,
    mqttPackets: t.mqttPackets - t.malformed - t.truncated,
    byType,
    connections,
    connectionsOmitted: omitted,
    flows,
    malformed: t.malformed,
    truncated: t.truncated,
    tcpGaps: t.tcpGaps,
    retransmissions: t.retransmissions,
    skippedBytes: t.skippedBytes,
    malformedPackets: trace.malformed,
    anomalies: trace.anomalies,
    anomalyCount: trace.anomalyCount,
    devices: [...trace.devices],
    problems: t.problems,
    createdAt: o.now,
    createdBy: o.actor,
  };
}
