"use client";
import { useEffect, useMemo, useState } from "react";
import type { DeviceEvent } from "@/lib/state/device-events";
import { onlineShare, sharePercent, STATUS_BACKFILL_LIMIT, statusAt, statusChanges, statusSegments, type StatusChange } from "@/lib/state/status-timeline";
import type { TimeWindow } from "@/lib/state/time-window";
import { useFleet } from "./FleetProvider";

/** How often a live window slides; status changes are rare, a bar this coarse is enough. */
const TICK_MS = 5000;
/**
 * How far before the window to look for the status it opens with. The store indexes messages by
 * time only, so this bounds the scan for a device that has said nothing for long; older is unknown.
 */
const LOOKBACK_MS = 24 * 3_600_000;
const NO_EVENTS: DeviceEvent[] = [];

type Stored = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; changes: StatusChange[]; truncated: boolean };

interface MessagesBody {
  messages?: { ts: number; topic: string; payload: string; encoding: string }[];
  next?: string | null;
  error?: { message: string };
}

async function fetchMessages(q: Record<string, string>, signal: AbortSignal): Promise<Required<Pick<MessagesBody, "messages" | "next">>> {
  const res = await fetch(`/api/messages?${new URLSearchParams(q)}`, { signal });
  const body = (await res.json()) as MessagesBody;
  if (!res.ok || !body.messages) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return { messages: body.messages.filter((m) => m.encoding === "utf8"), next: body.next ?? null };
}

const clock = (t: number, span: number) =>
  span > 24 * 3_600_000 ? new Date(t).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) : new Date(t).toLocaleTimeString();

/** Online/offline over the page's range or window: stored status messages, then live ones. */
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
    const topic = `fleet/+/${device}/status`;
    Promise.all([
      fetchMessages({ topic, from: String(askedFrom), to: String(askedTo), limit: String(STATUS_BACKFILL_LIMIT) }, abort.signal),
      // The status the window opens with: the last one before it.
      fetchMessages({ topic, from: String(Math.max(0, askedFrom - LOOKBACK_MS)), to: String(Math.max(0, askedFrom - 1)), limit: "1" }, abort.signal),
    ]).then(
      ([inside, before]) => {
        // Newest first: when the store holds more than the limit, what is left out is the oldest,
        // and the status before the window is then not the one the fetched part opens with.
        const truncated = inside.next !== null;
        const changes = statusChanges(device, truncated ? inside.messages : [...inside.messages, ...before.messages]);
        setStored({ state: "ok", changes, truncated });
      },
      (err: unknown) => !abort.signal.aborted && setStored({ state: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => abort.abort();
  }, [device, rangeMs, fixed?.from, fixed?.to, sessions]); // eslint-disable-line react-hooks/exhaustive-deps -- the window by value, not by object

  const events = useFleet((s) => s.events.get(device) ?? NO_EVENTS);
  const live = useMemo(() => {
    const out: StatusChange[] = [];
    for (const e of events) if (e.kind === "status" && (e.text === "online" || e.text === "offline")) out.push({ t: e.t, status: e.text });
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
    return statusSegments(all, statusAt(all, from), from, to);
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
            title={`${s.status} ${clock(s.from, span)} – ${clock(s.to, span)}`}
          >
            <span className="sr-only">
              {s.status} from {clock(s.from, span)} to {clock(s.to, span)}
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
