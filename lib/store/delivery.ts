/**
 * Delivery figures for a device from what was stored: each topic's `seq` is one stream, so
 * `lost` is the gaps in it and `received` its distinct values; `duplicates` are redeliveries the
 * store recognised and did not store again. Pure: the stores only supply the grouped counts.
 */
import type { QoS } from "./types";

/** One topic's stored sequence numbers in the range. */
export interface SeqStream {
  topic: string;
  qos: QoS;
  received: number;
  minSeq: number;
  maxSeq: number;
}

export interface DeliveryCounts {
  received: number;
  lost: number;
  duplicates: number;
}

export interface Delivery extends DeliveryCounts {
  byQos: Record<"0" | "1" | "2", DeliveryCounts>;
}

export function summarizeDelivery(streams: readonly SeqStream[], duplicatesByQos: ReadonlyMap<QoS, number>): Delivery {
  const byQos: Delivery["byQos"] = {
    "0": { received: 0, lost: 0, duplicates: duplicatesByQos.get(0) ?? 0 },
    "1": { received: 0, lost: 0, duplicates: duplicatesByQos.get(1) ?? 0 },
    "2": { received: 0, lost: 0, duplicates: duplicatesByQos.get(2) ?? 0 },
  };
  for (const s of streams) {
    const level = byQos[String(s.qos) as "0" | "1" | "2"];
    level.received += s.received;
    // A device that restarts its counter makes the range look shorter, never negative.
    level.lost += Math.max(0, s.maxSeq - s.minSeq + 1 - s.received);
  }
  const total = (k: keyof DeliveryCounts) => byQos["0"][k] + byQos["1"][k] + byQos["2"][k];
  return { received: total("received"), lost: total("lost"), duplicates: total("duplicates"), byQos };
}
