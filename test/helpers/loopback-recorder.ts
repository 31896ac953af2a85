/**
 * A live recorder (lib/captures/live-recorder.ts) on loopback for one broker port, started and
 * listening: what it saves is collected, and it fails at once when tcpdump cannot run.
 */
import { startLiveRecorder, type LiveRecorder, type LiveRecorderOptions } from "../../lib/captures/live-recorder";
import type { CaptureSummary } from "../../lib/captures/summary";

export async function recordLoopback(
  port: number,
  o: Omit<LiveRecorderOptions, "interface" | "filter" | "onReady" | "onSaved">,
): Promise<{ recorder: LiveRecorder; saved: CaptureSummary[] }> {
  const saved: CaptureSummary[] = [];
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  const recorder = startLiveRecorder({ ...o, interface: "lo", filter: `tcp port ${port}`, onReady: () => ready(), onSaved: (s) => saved.push(s) });
  await Promise.race([listening, recorder.done.then((r) => Promise.reject(new Error(r.problem ?? "tcpdump ended")))]);
  return { recorder, saved };
}
