"use client";
import { useEffect, useState } from "react";
import { toEvent } from "@/lib/state/device-events";
import { alertSpans, offlineSpells, storedGaps, type Mark, type Range, type StatusChange } from "@/lib/timetravel/timeline";
import { listAlerts } from "@/lib/api-client/alerts";
import { listCommands } from "@/lib/api-client/commands";
import { getSeries } from "@/lib/api-client/devices";
import { listMessages } from "@/lib/api-client/messages";

/** The timeline's marks are fetched again when its range moves by this much, not on every second. */
const REFETCH_MS = 60_000;
const LIMIT = "1000";
/** Buckets the gap search splits the range into, per sampled device. */
const GAP_BUCKETS = 120;

/** Devices and a field of each whose stored series show the store's gaps (`device\u0000field`, `|`-joined: a stable key). */
export type GapSample = string;

export type Marks = { state: "loading" } | { state: "error"; error: string } | { state: "ok"; marks: Mark[]; truncated: boolean };

async function messages(topic: string, r: Range, signal: AbortSignal) {
  const q = new URLSearchParams({ topic, from: String(r.from), to: String(r.to), limit: LIMIT });
  return (await listMessages(q, signal)).messages;
}

/** Spans where none of the sampled devices has a stored sample: the bridge or the store was down. */
async function fetchGaps(r: Range, sample: GapSample, signal: AbortSignal): Promise<Mark[]> {
  const pairs = sample ? sample.split("|").map((p) => p.split("\u0000") as [string, string]) : [];
  if (pairs.length === 0) return [];
  const series = await Promise.all(
    pairs.map(([device, field]) => {
      const q = new URLSearchParams({ device, field, from: String(r.from), to: String(r.to), points: String(GAP_BUCKETS) });
      return getSeries(q, signal).catch(() => null);
    }),
  );
  const got = series.filter((x) => x !== null);
  if (got.length === 0) return [];
  return storedGaps(got.flatMap((x) => x.points), got[0]!.bucketMs, r);
}

async function fetchMarks(r: Range, sample: GapSample, signal: AbortSignal): Promise<{ marks: Mark[]; truncated: boolean }> {
  const [statuses, alarms] = await Promise.all([messages("fleet/+/+/status", r, signal), messages("fleet/+/+/alarm", r, signal)]);
  const changes: StatusChange[] = [];
  const marks: Mark[] = [];
  for (const m of statuses) {
    const e = m.encoding === "utf8" ? toEvent(m.topic, m.payload, m.ts) : null;
    if (e?.event.status) changes.push({ device: e.device, t: m.ts, status: e.event.status });
  }
  for (const m of alarms) {
    const e = m.encoding === "utf8" ? toEvent(m.topic, m.payload, m.ts) : null;
    if (e) marks.push({ kind: "alarm", t: m.ts, label: `${e.device}: ${e.event.text}` });
  }
  // Commands are an operator's record: a viewer's timeline shows the rest without them.
  const q = new URLSearchParams({ from: String(r.from), to: String(r.to), limit: "500" });
  const commands = await listCommands(q, signal).catch(() => ({ commands: [] }));
  for (const c of commands.commands) marks.push({ kind: "command", t: c.createdAt, label: `${c.name} → ${c.device} (${c.state})` });
  const gaps = await fetchGaps(r, sample, signal);
  const alerts = await listAlerts({ from: String(r.from), to: String(r.to), limit: "500" }, signal).catch(() => ({ alerts: [] }));
  return { marks: [...gaps, ...alertSpans(alerts.alerts, r), ...offlineSpells(changes, r), ...marks], truncated: statuses.length >= Number(LIMIT) || alarms.length >= Number(LIMIT) };
}

/** Gaps in stored data, offline spells, alarms and commands within the range, from the store. */
export function useTimelineMarks(range: Range, sample: GapSample): Marks {
  const [marks, setMarks] = useState<Marks>({ state: "loading" });
  const from = Math.floor(range.from / REFETCH_MS) * REFETCH_MS;
  const to = Math.ceil(range.to / REFETCH_MS) * REFETCH_MS;
  useEffect(() => {
    const abort = new AbortController();
    fetchMarks({ from, to }, sample, abort.signal).then(
      (m) => setMarks({ state: "ok", ...m }),
      (err: unknown) => !abort.signal.aborted && setMarks({ state: "error", error: err instanceof Error ? err.message : String(err) }),
    );
    return () => abort.abort();
  }, [from, to, sample]);
  return marks;
}
