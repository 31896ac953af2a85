"use client";
import { useEffect, useState } from "react";
import { parseJsonObject, seqOf } from "@/lib/devices/conventions/demo";
import { SeqGapCounter, type SeqStreamCounts } from "@/lib/qos/seq-gaps";
import { MAX_LIVE_PAYLOAD_BYTES } from "@/lib/browser/live-feed";
import type { WatchState } from "@/lib/state/connection";
import { useFleet } from "../FleetProvider";

const decoder = new TextDecoder();

/**
 * The `seq` streams of one device's messages as this tab receives them (its demo topics, over
 * the tab's own connection), counted for loss and duplicates: a new array per frame's batch, and
 * the subscription's state (what arrives before it is "subscribed" is not seen).
 */
export function useLiveSeq(device: string): { streams: readonly SeqStreamCounts[]; state: WatchState["state"] | "offline" } {
  const mqtt = useFleet((st) => st.mqtt);
  const [counts, setCounts] = useState<readonly SeqStreamCounts[]>([]);
  const [state, setState] = useState<WatchState["state"] | "offline">("offline");
  useEffect(() => {
    setCounts([]);
    setState("offline");
    if (!mqtt) return;
    const counter = new SeqGapCounter();
    return mqtt.watch(`fleet/+/${device}/+`, {
      onBatch: (batch) => {
        let changed = false;
        for (const m of batch) {
          // A retained message is an old one replayed to a new subscription, not part of the stream.
          if (m.retain || m.payload.byteLength > MAX_LIVE_PAYLOAD_BYTES) continue;
          const seq = seqOf(parseJsonObject(decoder.decode(m.payload)));
          if (seq === null) continue;
          counter.observe(m.topic, seq, m.qos);
          changed = true;
        }
        if (changed) setCounts(counter.counts());
      },
      onState: (w) => setState(w.state),
    });
  }, [mqtt, device]);
  return { streams: counts, state };
}
