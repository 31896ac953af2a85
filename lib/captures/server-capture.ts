import "server-only";
/**
 * FLEETSCOPE_CAPTURE_INTERFACE inside `npm start`: the live recorder, saving a capture every
 * FLEETSCOPE_CAPTURE_ROTATE_MINUTES, its state in /api/health as the `capture` part. A capture
 * that cannot run (tcpdump missing or not permitted) is reported there, and the rest of the server
 * goes on.
 */
import type { Config } from "../config/env";
import { setPart } from "../process/parts";
import type { Store } from "../store/types";
import { startLiveRecorder, type LiveRecorder } from "./live-recorder";

/** How long the server waits for tcpdump to listen before it starts the rest without it. */
const READY_WAIT_MS = 5000;

/**
 * Starts the capture; `ready` resolves once tcpdump listens (or has failed, or after a few
 * seconds), so the server can start its own clients after it and the capture holds their CONNECTs.
 */
export function startServerCapture(config: Config, store: Store): { recorder: LiveRecorder; ready: Promise<void> } | null {
  const iface = config.captureInterface;
  if (!iface) {
    setPart("capture", { status: "off" });
    return null;
  }
  let listening!: () => void;
  const ready = new Promise<void>((r) => (listening = r));
  const waited = setTimeout(() => listening(), READY_WAIT_MS);
  const base = { interface: iface, filter: config.captureFilter ?? null, rotateMinutes: config.captureRotateMs / 60_000 };
  let saved = 0;
  let bytes = 0;
  let lastId: string | null = null;
  const report = (status: "ok" | "starting") => setPart("capture", { status, ...base, saved, lastCapture: lastId, segmentBytes: bytes });
  report("starting");
  const recorder = startLiveRecorder({
    interface: iface,
    filter: config.captureFilter,
    dir: config.captureDir,
    captures: store.captures,
    name: `live-${iface}`,
    actor: "capture",
    rotateMs: config.captureRotateMs,
    segmentBytes: config.captureMaxBytes,
    ports: config.capturePorts,
    onReady: () => {
      report("ok");
      clearTimeout(waited);
      listening();
    },
    onProgress: (b) => {
      bytes = b;
      report("ok");
    },
    onSaved: (s) => {
      saved++;
      lastId = s.id;
      bytes = 0;
      report("ok");
    },
  });
  void recorder.done.finally(() => {
    clearTimeout(waited);
    listening();
  });
  recorder.done.then(
    ({ problem }) => {
      if (problem) setPart("capture", { status: "down", ...base, saved, lastCapture: lastId, error: problem });
    },
    (err: unknown) => setPart("capture", { status: "down", ...base, saved, lastCapture: lastId, error: `saving a capture failed: ${err instanceof Error ? err.message : String(err)}` }),
  );
  return { recorder, ready };
}
