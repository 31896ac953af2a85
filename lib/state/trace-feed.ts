/**
 * The browser's side of GET /api/trace: an EventSource whose packets are handed over once per
 * animation frame into a bounded window, newest last. EventSource reconnects by itself; the state
 * callback says when it is trying.
 */
import type { TraceEvent } from "../qos/trace-hub";
import { createFrameBatcher } from "./frame-batcher";

/** Packets a view keeps; older ones fall off the front. */
export const TRACE_WINDOW = 3000;

export type TracedPacket = TraceEvent;
export type TraceFeedState = "connecting" | "live" | "reconnecting";

export function appendWindow<T>(window: readonly T[], batch: readonly T[], max = TRACE_WINDOW): T[] {
  const all = window.length + batch.length > max ? window.slice(Math.max(0, window.length + batch.length - max)) : window.slice();
  for (const e of batch.length > max ? batch.slice(batch.length - max) : batch) all.push(e);
  return all;
}

type FlowSnapshot = NonNullable<TracedPacket["flow"]>;

/** Each flow's state as of the newest packet seen for it. */
export function latestFlows(packets: readonly TracedPacket[]): Map<string, FlowSnapshot> {
  const out = new Map<string, FlowSnapshot>();
  for (const p of packets) if (p.flow) out.set(p.flow.key, p.flow);
  return out;
}

/** A packet's flow as it stands now, not as it stood when that packet passed. */
export function currentFlow(p: TracedPacket, latest: ReadonlyMap<string, FlowSnapshot>): FlowSnapshot | undefined {
  return p.flow ? (latest.get(p.flow.key) ?? p.flow) : undefined;
}

export function startTraceFeed(params: URLSearchParams, onBatch: (batch: TracedPacket[]) => void, onState: (s: TraceFeedState) => void): () => void {
  const source = new EventSource(`/api/trace?${params}`);
  const batcher = createFrameBatcher<TracedPacket>(onBatch);
  onState("connecting");
  source.onopen = () => onState("live");
  source.onerror = () => onState("reconnecting");
  source.onmessage = (m: MessageEvent<string>) => batcher.push(JSON.parse(m.data) as TracedPacket);
  return () => {
    source.close();
    batcher.dispose();
  };
}
