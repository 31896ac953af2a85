"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { useEvery } from "../commands/useEvery";
import { useFleet } from "../FleetProvider";
import { firingAt } from "@/lib/timetravel/alerts-at";
import { formatAt } from "@/lib/timetravel/describe";
import { listAlerts } from "@/lib/api-client/alerts";
import s from "./alerts.module.css";

const POLL_MS = 5000;
/** A past view's badge reads the store at most this often while playback moves the cursor. */
const PAST_READ_MS = 1000;
const LIMIT = 100;

/**
 * The header's count of firing alerts (with no data too), a link to them; quiet when none fire.
 * In a past view (`?at=`) it counts those firing at the moment shown, and says so.
 */
export function AlertBadge() {
  const cursor = useFleet((st) => st.past?.cursor ?? null);
  return cursor === null ? <LiveBadge /> : <PastBadge cursor={cursor} />;
}

function LiveBadge() {
  const [firing, setFiring] = useState<number | null>(null);
  const load = useCallback(async (signal: AbortSignal) => {
    try {
      const body = await listAlerts({ state: "firing,firing_no_data", limit: String(LIMIT) }, signal);
      setFiring(body.next ? LIMIT : body.alerts.length);
    } catch {
      if (!signal.aborted) setFiring(null);
    }
  }, []);
  useEvery(load, POLL_MS);
  if (!firing) return <Link href="/alerts" className={s.badgeQuiet} data-testid="alert-badge" data-firing="0">Alerts</Link>;
  return (
    <Link href="/alerts?state=firing,firing_no_data" className={s.badge} data-testid="alert-badge" data-firing={firing} title="Alerts firing now">
      {firing >= LIMIT ? `${LIMIT}+` : firing} firing
    </Link>
  );
}

/** The episodes open at the cursor, with their transitions, read again as the cursor moves (at most once a PAST_READ_MS). */
function PastBadge({ cursor }: { cursor: number }) {
  const [shown, setShown] = useState<{ at: number; firing: number; more: boolean } | { at: number; error: string } | null>(null);
  const latest = useRef(cursor);
  latest.current = cursor;
  const [asked, setAsked] = useState(cursor);
  useEffect(() => {
    if (cursor === asked) return;
    const timer = setTimeout(() => setAsked(latest.current), PAST_READ_MS);
    return () => clearTimeout(timer);
  }, [cursor, asked]);
  useEffect(() => {
    const abort = new AbortController();
    const q = new URLSearchParams({ from: String(asked), to: String(asked), limit: String(LIMIT), transitions: "true" });
    listAlerts(q, abort.signal).then(
      (body) => setShown({ at: asked, firing: firingAt(body.alerts, asked), more: body.next !== null }),
      (err: unknown) => !abort.signal.aborted && setShown({ at: asked, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => abort.abort();
  }, [asked]);
  if (shown === null) return <span className={s.badgeQuiet} data-testid="alert-badge" data-state="loading">Alerts…</span>;
  const when = formatAt(shown.at);
  if ("error" in shown) {
    return <Link href="/alerts" className={s.badgeQuiet} data-testid="alert-badge" data-state="error" title={`Could not read the alerts firing at ${when}: ${shown.error}`}>Alerts ?</Link>;
  }
  const label = `${shown.more ? `${shown.firing}+` : shown.firing} firing then`;
  return (
    <Link href="/alerts" className={shown.firing ? s.badge : s.badgeQuiet} data-testid="alert-badge" data-firing={shown.firing} data-at={shown.at} title={`Alerts firing at ${when}, the moment shown`}>
      {shown.firing ? label : "Alerts: none then"}
    </Link>
  );
}
