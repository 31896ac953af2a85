"use client";
import { useEffect, useMemo, useState } from "react";
import { levelChoices, mergeEvents, passesLevel, toEvent, type DeviceEvent, type EventKind } from "@/lib/state/device-events";
import type { TimeWindow } from "@/lib/view/time-window";
import { useFleet } from "./FleetProvider";
import { listMessages } from "@/lib/api-client/messages";
import { errorText } from "@/lib/api-client/request";

/** Stored events fetched per kind when the feed opens; live ones join them. */
const BACKFILL_PER_KIND = 50;
const KINDS: EventKind[] = ["alarm", "log", "status"];
const NO_EVENTS: DeviceEvent[] = [];

type Backfill = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; events: DeviceEvent[] };

async function fetchStored(device: string, window: TimeWindow | null, signal: AbortSignal): Promise<DeviceEvent[]> {
  const events: DeviceEvent[] = [];
  for (const kind of KINDS) {
    const q = new URLSearchParams({ topic: `fleet/+/${device}/${kind}`, limit: String(BACKFILL_PER_KIND) });
    if (window) {
      q.set("from", String(window.from));
      q.set("to", String(window.to));
    }
    for (const m of (await listMessages(q, signal)).messages) {
      const e = m.encoding === "utf8" ? toEvent(m.topic, m.payload, m.ts) : null;
      if (e) events.push(e.event);
    }
  }
  return events;
}

/**
 * Alarms, logs and status changes of one device, live and from the store, with a level filter.
 * Following the live range, the newest of them; with a fixed window (a zoom or a custom range),
 * those within it, as the charts above show it.
 */
export function EventFeed({ device, window }: { device: string; window: TimeWindow | null }) {
  const live = useFleet((s) => s.events.get(device) ?? NO_EVENTS);
  const [stored, setStored] = useState<Backfill>({ state: "loading" });
  const [level, setLevel] = useState("all");
  const from = window?.from;
  const to = window?.to;

  useEffect(() => {
    const abort = new AbortController();
    setStored({ state: "loading" });
    fetchStored(device, from !== undefined && to !== undefined ? { from, to } : null, abort.signal).then(
      (events) => setStored({ state: "ok", events }),
      (err: unknown) => !abort.signal.aborted && setStored({ state: "error", message: errorText(err) }),
    );
    return () => abort.abort();
  }, [device, from, to]);

  const all = useMemo(() => {
    const merged = mergeEvents(live, stored.state === "ok" ? stored.events : []);
    return from !== undefined && to !== undefined ? merged.filter((e) => e.t >= from && e.t <= to) : merged;
  }, [live, stored, from, to]);
  const levels = useMemo(() => levelChoices(all.map((e) => e.level)), [all]);
  const shown = level === "all" ? all : all.filter((e) => passesLevel(e.level, level));

  return (
    <section className="card events" aria-label="Events">
      <div className="card-head">
        <strong>Alarms, logs and status{window ? " in the window shown" : ""}</strong>
        <label className="small">
          Level{" "}
          <select value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="all">all</option>
            {levels.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {stored.state === "error" && <p className="error small" role="alert">Could not load stored events: {stored.message}</p>}
      {shown.length === 0 ? (
        <p className="muted small">{stored.state === "loading" ? "Loading events…" : "No events in view."}</p>
      ) : (
        <ol className="event-list" data-testid="events">
          {shown.map((e, i) => (
            <li key={`${e.kind}-${e.t}-${e.seq ?? i}`} className={`event event-${e.kind} level-${e.level}`}>
              <time dateTime={new Date(e.t).toISOString()}>{new Date(e.t).toLocaleTimeString()}</time>
              <span className="event-kind">{e.kind}</span>
              <span className="event-level">{e.level}</span>
              <span className="event-text">{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
