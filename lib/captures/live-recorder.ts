import "server-only";
/**
 * A live capture kept as captures: tcpdump (lib/captures/tcpdump.ts) streams into the same
 * import as an uploaded file, and every `rotateMs` (or `segmentBytes`) the stream is cut between
 * two records (pcap-cutter.ts) so the part so far is saved and can be opened on /wire while the
 * capture goes on. `npm run capture` keeps one capture until Ctrl-C; FLEETSCOPE_CAPTURE_INTERFACE
 * records in segments inside `npm start`.
 */
import type { CaptureStore } from "../store/captures";
import { endpointsOf } from "./capture-trace";
import { ChunkQueue } from "./chunk-queue";
import { importCapture } from "./import";
import { PcapCutter } from "./pcap-cutter";
import type { CapturePorts } from "../config/capture-ports";
import { captureName, newCaptureId } from "./requests";
import type { CaptureSummary } from "./summary";
import { startLiveCapture } from "./tcpdump";
import type { TcpdumpCounters } from "./tcpdump-output";

export interface LiveRecorderOptions {
  interface: string;
  filter?: string;
  dir: string;
  captures: CaptureStore;
  /** Each capture is named this, with its start time when segmented. */
  name: string;
  actor: string;
  /** Cut after this long; Infinity keeps one capture. */
  rotateMs: number;
  /** Cut once a segment holds this many bytes. */
  segmentBytes: number;
  /** Which server ports carry MQTT (lib/config/capture-ports.ts); each segment adds those the last one found. */
  ports: CapturePorts;
  onReady?(): void;
  /** Bytes read into the current segment so far, now and then. */
  onProgress?(bytes: number): void;
  onSaved?(summary: CaptureSummary): void;
  /** tcpdump's path, for tests. */
  command?: string;
}

export interface LiveResult {
  /** Why the capture ended, or null when it was stopped. */
  problem: string | null;
  /** tcpdump's own counters: `captured` less `frames` is what this reader lost (none, so far). */
  tcpdump: TcpdumpCounters | null;
  /** Frames read, over all segments. */
  frames: number;
}

export interface LiveRecorder {
  /** Ends the capture; resolves once the last segment is saved. */
  stop(): Promise<LiveResult>;
  /** Resolves when the capture ends; every segment is saved by then. */
  readonly done: Promise<LiveResult>;
}

export function startLiveRecorder(o: LiveRecorderOptions): LiveRecorder {
  const cutter = new PcapCutter();
  // A segment after the first starts mid-stream, where only a known port tells MQTT from other
  // TCP (a CONNECT is what tells it otherwise): each segment learns the ports of the last.
  const ports = { mqtt: new Set(o.ports.mqttPorts), tls: new Set(o.ports.tlsPorts), ws: new Set(o.ports.webSocketPorts) };
  // And the client ids of connections still open, so their hops keep their names.
  const clientIds = new Map<string, string>();
  const learn = (s: CaptureSummary) => {
    for (const c of s.connections) {
      (c.transport === "tls" ? ports.tls : c.transport === "websocket" ? ports.ws : ports.mqtt).add(c.server.port);
      if (c.clientId) clientIds.set(endpointsOf(c.conn), c.clientId);
    }
  };
  // Each import starts once the one before has finished, so it knows that one's ports.
  let previous: Promise<unknown> = Promise.resolve();
  let frames = 0;
  const saving = new Set<Promise<void>>();
  let queue: ChunkQueue;
  let segmentBytes = 0;
  const begin = (header?: Uint8Array) => {
    queue = new ChunkQueue();
    segmentBytes = 0;
    if (header) queue.push(header);
    const now = Date.now();
    const id = newCaptureId(now);
    const name = Number.isFinite(o.rotateMs) ? `${o.name} ${new Date(now).toISOString().slice(0, 19).replace("T", " ")}` : o.name;
    const input = queue;
    const imported = previous.then(() =>
      importCapture(input, {
        dir: o.dir,
        id,
        name: captureName(name, now),
        maxBytes: Number.MAX_SAFE_INTEGER,
        actor: o.actor,
        now,
        onProgress: o.onProgress,
        ports: { mqttPorts: [...ports.mqtt], tlsPorts: [...ports.tls], webSocketPorts: [...ports.ws] },
        clientIds: new Map(clientIds),
      }),
    );
    previous = imported.then((summary) => {
      frames += summary.frames;
      learn(summary);
    }, () => {});
    const saved = imported.then(async (summary) => {
      // A segment cut before any packet came holds only the file header: nothing to keep.
      if (summary.frames === 0) return;
      await o.captures.save({ id, name: summary.name, createdAt: now, createdBy: o.actor, bytes: summary.bytes, summary: JSON.stringify(summary) });
      o.onSaved?.(summary);
    });
    saving.add(saved);
    void saved.finally(() => saving.delete(saved)).catch(() => {});
  };
  begin();
  const timer = Number.isFinite(o.rotateMs) ? setInterval(() => cutter.requestCut(), o.rotateMs) : null;
  timer?.unref();
  let ended!: (r: Omit<LiveResult, "frames">) => void;
  const endedWith = new Promise<Omit<LiveResult, "frames">>((r) => (ended = r));
  const live = startLiveCapture({
    interface: o.interface,
    filter: o.filter,
    command: o.command,
    onReady: o.onReady,
    onChunk(chunk) {
      for (const piece of cutter.push(chunk)) {
        if (piece.kind === "cut") {
          queue.end();
          begin(piece.header);
          continue;
        }
        queue.push(piece.bytes);
        segmentBytes += piece.bytes.length;
        if (segmentBytes >= o.segmentBytes) cutter.requestCut();
      }
    },
    onEnd(problem, tcpdump) {
      if (timer) clearInterval(timer);
      queue.end();
      ended({ problem, tcpdump });
    },
  });
  const done = endedWith.then(async (r) => {
    await Promise.all([...saving]);
    return { ...r, frames };
  });
  return {
    done,
    stop() {
      live.stop();
      return done;
    },
  };
}
