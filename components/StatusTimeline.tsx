"use client";
import { useEffect, useMemo, useState } from "react";
import type { DeviceEvent } from "@/lib/state/device-events";
import { changeAt, onlineShare, sharePercent, STATUS_BACKFILL_LIMIT, statusAt, statusSegments, storedChanges, type StatusChange, type StoredStatusHistory } from "@/lib/state/status-timeline";
import type { TimeWindow } from "@/lib/view/time-window";
import { useFleet } from "./FleetProvider";
import { getStatusHistory } from "@/lib/api-client/devices";
import { errorText } from "@/lib/api-client/request";

/** How often a live window slides; status changes are rare, a bar this coarse is enough. */
const TICK_MS = 5000;
const NO_EVENTS: DeviceEvent[] = [];

type Stored = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; changes: StatusChange[]; truncated: boolean };

const clock = (t: number, span: number) =>
  span > 24 * 3_600_000 ? new Date(t).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : new Date(t).toLocaleTimeString();

/** Online/offline over the page's range or window: the stored status changes, then live ones. */
export function StatusTimeline({ device, rangeMs, window: fixed }: { device: string; rangeMs: number; window: TimeWindow | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (fixed) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [fixed]);

  const [stored, setStored] = useState<Stored>({ state: "loading" });
  const sessions = useFleet((s) => Math.max(1, s.connection.sessions));
  useEffect(() => {
    const abort = new AbortController();
    const askedTo = fixed ? fixed.to : Date.now();
    const askedFrom = fixed ? fixed.from : askedTo - rangeMs;
    getStatusHistory(device, { from: String(askedFrom), to: String(askedTo), limit: String(STATUS_BACKFILL_LIMIT) }, abort.signal).then(
      (history: StoredStatusHistory) => setStored({ state: "ok", changes: storedChanges(history), truncated: history.truncated }),
      (err: unknown) => !abort.signal.aborted && setStored({ state: "error", message: errorText(err) }),
    );
    return () => abort.abort();
  }, [device, rangeMs, fixed?.from, fixed?.to, sessions]); // Dependencies on purpose: the window by value, not by object

  const events = useFleet((s) => s.events.get(device) ?? NO_EVENTS);
  const live = useMemo(() => {
    const out: StatusChange[] = [];
    for (const e of events) if (e.kind === "status" && (e.status === "online" || e.status === "offline")) out.push(e.reason ? { t: e.t, status: e.status, reason: e.reason } : { t: e.t, status: e.status });
    return out;
  }, [events]);
  // The status the broker holds (retained, taken in by the devices store) when it differs from the
  // last change known here: one made while this tab was not yet subscribed, which the feed leaves
  // out (a retained replay is no event), and the store had not yet when asked. Known as of now.
  const current = useFleet((s) => s.devices.get(device)?.status);
  const [noticed, setNoticed] = useState<StatusChange | null>(null);
  useEffect(() => {
    if (stored.state !== "ok" || (current !== "online" && current !== "offline")) return;
    const known = [...stored.changes, ...live, ...(noticed ? [noticed] : [])];
    if (statusAt(known, Number.POSITIVE_INFINITY) !== current) setNoticed({ t: Date.now(), status: current });
  }, [current, stored, live, noticed]);
  // A live window ends now: at the latest tick, or at a change that arrived since (the feed is newest first).
  const to = fixed ? fixed.to : Math.max(now, live[0]?.t ?? 0, noticed?.t ?? 0);
  const from = fixed ? fixed.from : to - rangeMs;
  const segments = useMemo(() => {
    const all = [...(stored.state === "ok" ? stored.changes : []), ...live, ...(noticed ? [noticed] : [])];
    const opening = changeAt(all, from);
    return statusSegments(all, opening?.status ?? "unknown", from, to, opening?.reason);
  }, [live, stored, noticed, from, to]);

  const span = to - from;
  const share = onlineShare(segments);
  return (
    <section className="card status-history" aria-label="Status history">
      <div className="card-head">
        <strong>Status</strong>
        <span className="muted small" data-testid="status-summary">
          {stored.state === "loading"
            ? "loading status history…"
            : share === null
              ? "no status known in this range"
              : `online ${sharePercent(share)} of the known time${stored.state === "ok" && stored.truncated ? " (oldest changes not loaded)" : ""}`}
        </span>
      </div>
      {stored.state === "error" && (
        <p className="error small" role="alert">
          Could not load status history: {stored.message}
        </p>
      )}
      <ol className="timeline" data-testid="status-timeline">
        {segments.map((s) => (
          <li
            key={s.from}
            className={`segment segment-${s.status}`}
            data-status={s.status}
            style={{ left: `${((s.from - from) / span) * 100}%`, width: `${((s.to - s.from) / span) * 100}%` }}
            title={`${s.status} ${clock(s.from, span)} – ${clock(s.to, span)}${s.reason ? `: ${s.reason}` : ""}`}
          >
            <span className="sr-only">
              {s.status} from {clock(s.from, span)} to {clock(s.to, span)}
              {s.reason ? `: ${s.reason}` : ""}
            </span>
          </li>
        ))}
      </ol>
      <div className="timeline-axis muted small">
        <time dateTime={new Date(from).toISOString()}>{clock(from, span)}</time>
        <span className="timeline-legend">
          <i className="segment-online" /> online <i className="segment-offline" /> offline <i className="segment-unknown" /> unknown
        </span>
        <time dateTime={new Date(to).toISOString()}>{fixed ? clock(to, span) : "now"}</time>
      </div>
    </section>
  );
}
