/**
 * Delivery figures for a device from what was stored: each topic's `seq` is one stream, so
 * `lost` is the gaps in it and `received` its distinct values; `duplicates` are redeliveries the
 * store recognised and did not store again. Per QoS level, each stored message counts under its
 * own QoS, and a gap under the QoS of the message that follows it (the level the device was
 * using when the loss showed). Pure: the stores only supply the grouped counts.
 */
import type { QoS } from "./types";

/**
 * One topic's stored messages of one QoS level in the range: `received` distinct `seq` values,
 * `lost` the missing values just below them in the topic's whole stream. Summed over a topic's
 * levels: max − min + 1 − distinct. A device that restarts its counter re-covers values already
 * seen, which can hide a loss but never makes one up.
 */
export interface SeqStream {
  topic: string;
  qos: QoS;
  received: number;
  lost: number;
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
    level.lost += s.lost;
  }
  const total = (k: keyof DeliveryCounts) => byQos["0"][k] + byQos["1"][k] + byQos["2"][k];
  return { received: total("received"), lost: total("lost"), duplicates: total("duplicates"), byQos };
}
