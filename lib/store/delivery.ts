/**
 * Delivery figures for a device from what was stored: each topic's `seq` is one stream, so
 * `lost` is the gaps in it and `received` its distinct values; a counter shared by several
 * topics or wrapping (a Sparkplug edge node's 0..255, MessageRow.sharedSeq) is one stream over
 * all its topics, taken in arrival order (sharedStreamsSql). `duplicates` are redeliveries the
 * store recognised and did not store again. Per QoS level, each stored message counts under its
 * own QoS, and a gap under the QoS of the message that follows it (the level the device was
 * using when the loss showed). Pure: the stores only supply the grouped counts.
 */
import type { QoS } from "../mqtt/packet";

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

/**
 * The shared streams a device's stored messages belong to, each whole (every device's messages
 * on it: an edge node's counter runs across its devices), in [from, to], as SeqStreams named by
 * the stream. The counter is unwrapped in arrival order, each step read as the nearest one (on a
 * 0..255 counter, 255 → 0 is +1 and 6 → 5 is −1: a late message, not 255 lost); a restart (an
 * NBIRTH) begins a new run. Then as a topic's stream: per run, max − min + 1 − distinct is lost.
 * One text for both stores: they differ only in how a parameter is written.
 */
export function sharedStreamsSql(p: { device: string; from: string; to: string }): string {
  return `WITH a AS (
       SELECT stream, n, ts, qos, seq, modulo, sum(CASE WHEN restart THEN 1 ELSE 0 END) OVER (PARTITION BY stream ORDER BY ts, n) AS run
       FROM seq_marks
       WHERE stream IN (SELECT DISTINCT stream FROM seq_marks WHERE device = ${p.device} AND ts BETWEEN ${p.from} AND ${p.to}) AND ts BETWEEN ${p.from} AND ${p.to}
     ),
     b AS (SELECT a.*, lag(seq) OVER (PARTITION BY stream, run ORDER BY ts, n) AS prev FROM a),
     c AS (
       SELECT stream, n, ts, qos, run,
         CASE WHEN prev IS NULL THEN seq
              WHEN modulo = 0 THEN seq - prev
              WHEN ((seq - prev) % modulo + modulo) % modulo > modulo / 2 THEN ((seq - prev) % modulo + modulo) % modulo - modulo
              ELSE ((seq - prev) % modulo + modulo) % modulo END AS step
       FROM b
     ),
     u AS (SELECT stream, run, qos, sum(step) OVER (PARTITION BY stream, run ORDER BY ts, n) AS value FROM c),
     s AS (SELECT stream, run, value, max(qos) AS qos FROM u GROUP BY stream, run, value)
   SELECT stream AS topic, qos, count(*) AS received, coalesce(sum(gap), 0) AS lost
   FROM (SELECT stream, qos, value - lag(value) OVER (PARTITION BY stream, run ORDER BY value) - 1 AS gap FROM s) g
   GROUP BY stream, qos ORDER BY stream, qos`;
}
