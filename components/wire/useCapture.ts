"use client";
import { useCallback, useEffect, useState } from "react";
import type { CaptureSummary } from "@/lib/captures/summary";
import { getCapture, listCapturePackets, listCaptures, type ListedCapture } from "@/lib/api-client/captures";
import { errorText } from "@/lib/api-client/request";
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
    // Both asked at once; when both fail, the summary's error is the one said.
    Promise.allSettled([getCapture(id, abort.signal), listCapturePackets(id, new URLSearchParams(query), abort.signal)]).then(([summary, page]) => {
      if (abort.signal.aborted) return;
      if (summary.status === "rejected") return setRead({ state: "error", message: errorText(summary.reason) });
      if (page.status === "rejected") return setRead({ state: "error", message: errorText(page.reason) });
      setRead({ state: "ok", summary: summary.value, packets: page.value.packets, more: !!page.value.next });
    });
    return () => abort.abort();
  }, [id, query]);
  return read;
}

/** The kept captures, newest first (null until read), why they could not be listed, and a reload. */
export function useCaptureList(): { captures: ListedCapture[] | null; error: string | null; reload(): Promise<void> } {
  const [captures, setCaptures] = useState<ListedCapture[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setCaptures((await listCaptures()).captures);
      setError(null);
    } catch (err) {
      setError(`could not list captures: ${errorText(err)}`);
    }
  }, []);
  useEffect(() => void reload(), [reload]);
  return { captures, error, reload };
}
