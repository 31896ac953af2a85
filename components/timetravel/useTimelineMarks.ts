"use client";
import { useEffect, useState } from "react";
import { toEvent } from "@/lib/state/device-events";
import type { StoredMessage } from "@/lib/store/types";
import { offlineSpells, type Mark, type Range, type StatusChange } from "@/lib/timetravel/timeline";
import { getJson } from "../commands/get-json";

/** The timeline's marks are fetched again when its range moves by this much, not on every second. */
const REFETCH_MS = 60_000;
const LIMIT = "1000";

export type Marks = { state: "loading" } | { state: "error"; error: string } | { state: "ok"; marks: Mark[]; truncated: boolean };

async function messages(topic: string, r: Range, signal: AbortSignal) {
  const q = new URLSearchParams({ topic, from: String(r.from), to: String(r.to), limit: LIMIT });
  return (await getJson<{ messages: StoredMessage[]; next: string | null }>(`/api/messages?${q}`, signal)).messages;
}

async function fetchMarks(r: Range, signal: AbortSignal): Promise<{ marks: Mark[]; truncated: boolean }> {
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
  const commands = await getJson<{ commands: { device: string; name: string; createdAt: number; state: string }[] }>(`/api/commands?${q}`, signal).catch(() => ({ commands: [] }));
  for (const c of commands.commands) marks.push({ kind: "command", t: c.createdAt, label: `${c.name} → ${c.device} (${c.state})` });
  return { marks: [...offlineSpells(changes, r), ...marks], truncated: statuses.length >= Number(LIMIT) || alarms.length >= Number(LIMIT) };
}

/** Offline spells, alarms and commands within the range, from the store. */
export function useTimelineMarks(range: Range): Marks {
  const [marks, setMarks] = useState<Marks>({ state: "loading" });
  const from = Math.floor(range.from / REFETCH_MS) * REFETCH_MS;
  const to = Math.ceil(range.to / REFETCH_MS) * REFETCH_MS;
  useEffect(() => {
    const abort = new AbortController();
    fetchMarks({ from, to }, abort.signal).then(
      (m) => setMarks({ state: "ok", ...m }),
      (err: unknown) => !abort.signal.aborted && setMarks({ state: "error", error: err instanceof Error ? err.message : String(err) }),
    );
    return () => abort.abort();
  }, [from, to]);
  return marks;
}
