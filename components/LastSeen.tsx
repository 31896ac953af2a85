"use client";
import { useMemo } from "react";
import { useFleet } from "./FleetProvider";
import { useSecondClock } from "./useSecondClock";

/**
 * What `toLocaleString()` shows, from one formatter: each `toLocaleString()` call builds a
 * formatter of its own, and a fleet appearing mounts dozens of cards in one frame (20 ms of it).
 */
const LOCAL = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });

/**
 * Seconds-resolution relative time, on the one clock all labels share; in a past view, relative to
 * the cursor (an arm seen a second before the moment was not "seen 1h ago" then).
 */
export function LastSeen({ ts }: { ts: number }) {
  const clock = useSecondClock();
  // Whole seconds: playback moves the cursor every frame, and a card need not render for each.
  const cursor = useFleet((s) => (s.past ? Math.floor(s.past.cursor / 1000) * 1000 : null));
  const now = cursor ?? clock;
  // Formatted once per second of `ts`, not on every render: a busy device's card renders ten times
  // a second, and formatting a date is among the dearest calls a card makes.
  const second = Math.floor(ts / 1000);
  const at = useMemo(() => {
    const d = new Date(second * 1000);
    return { iso: d.toISOString(), local: LOCAL.format(d) };
  }, [second]);
  if (!ts) return <span className="muted">never</span>;
  const s = Math.max(0, Math.round((now - ts) / 1000));
  const text = s < 2 ? "just now" : s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : at.local;
  return <time dateTime={at.iso} title={at.local}>{text}</time>;
}
