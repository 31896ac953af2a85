/**
 * The browser's side of GET /api/trace: an EventSource whose packets are handed over once per
 * animation frame into a bounded window, newest last. EventSource reconnects by itself; the state
 * callback says when it is trying.
 */
import type { TraceEvent } from "../mqtt/packet";
import { createFrameBatcher, framesAtMost, type FrameBatcher } from "./frame-batcher";

/** Packets a view keeps; older ones fall off the front. */
export const TRACE_WINDOW = 3000;

export type TracedPacket = TraceEvent;

/**
 * A trace view takes its packets at most this often. Per animation frame, a window of thousands
 * re-rendered 60 times a second cost the tab more than tracing its packets did (the taps bench);
 * five times a second is as fresh as anyone reads a packet list going by at thousands a second.
 */
export const TRACE_REFRESH_MS = 200;

/** Packets buffered and handed to a trace view in order, at most every TRACE_REFRESH_MS. */
export function createTraceBatcher(onBatch: (batch: TracedPacket[]) => void): FrameBatcher<TracedPacket> {
  return createFrameBatcher(onBatch, framesAtMost(TRACE_REFRESH_MS));
}
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
  const batcher = createTraceBatcher(onBatch);
  onState("connecting");
  source.onopen = () => onState("live");
  source.onerror = () => onState("reconnecting");
  source.onmessage = (m: MessageEvent<string>) => batcher.push(JSON.parse(m.data) as TracedPacket);
  return () => {
    source.close();
    batcher.dispose();
  };
}
