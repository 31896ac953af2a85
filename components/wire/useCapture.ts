"use client";
import { useCallback, useEffect, useState } from "react";
import type { CaptureSummary } from "@/lib/captures/summary";
import type { TracedPacket } from "@/lib/state/trace-feed";

/** Packets of a capture read at once (the API's largest page), in capture order. */
export const CAPTURE_PAGE = 5000;

export type CaptureRead =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ok"; summary: CaptureSummary; packets: TracedPacket[]; more: boolean };

/**
 * A capture's summary and the first page of its packets that pass `filters` (the packets route's
 * query: type, client, device, qos), as the trace shows them. Nothing while `id` is empty.
 */
export function useCapture(id: string, filters: Record<string, string>): CaptureRead {
  const [read, setRead] = useState<CaptureRead>(id ? { state: "loading" } : { state: "idle" });
  const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "")), limit: String(CAPTURE_PAGE) }).toString();
  useEffect(() => {
    if (!id) {
      setRead({ state: "idle" });
      return;
    }
    const abort = new AbortController();
    setRead({ state: "loading" });
    const base = `/api/captures/${encodeURIComponent(id)}`;
    Promise.all([fetch(base, { signal: abort.signal }), fetch(`${base}/packets?${query}`, { signal: abort.signal })])
      .then(async ([a, b]) => {
        const summary = (await a.json()) as CaptureSummary & { error?: { message: string } };
        const page = (await b.json()) as { packets?: TracedPacket[]; next?: string | null; error?: { message: string } };
        if (!a.ok) throw new Error(summary.error?.message ?? `HTTP ${a.status}`);
        if (!b.ok || !page.packets) throw new Error(page.error?.message ?? `HTTP ${b.status}`);
        setRead({ state: "ok", summary, packets: page.packets, more: !!page.next });
      })
      .catch((err: unknown) => !abort.signal.aborted && setRead({ state: "error", message: err instanceof Error ? err.message : String(err) }));
    return () => abort.abort();
  }, [id, query]);
  return read;
}

export interface CaptureListItem {
  id: string;
  name: string;
  bytes: number;
  createdAt: number;
  mqttPackets: number;
}

/** The kept captures, newest first (null until read), why they could not be listed, and a reload. */
export function useCaptureList(): { captures: CaptureListItem[] | null; error: string | null; reload(): Promise<void> } {
  const [captures, setCaptures] = useState<CaptureListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      const res = await fetch("/api/captures");
      const body = (await res.json()) as { captures?: CaptureListItem[]; error?: { message: string } };
      if (!res.ok || !body.captures) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      setCaptures(body.captures);
      setError(null);
    } catch (err) {
      setError(`could not list captures: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, []);
  useEffect(() => void reload(), [reload]);
  return { captures, error, reload };
}
