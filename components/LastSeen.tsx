"use client";
import { useMemo } from "react";
import { useSecondClock } from "./useSecondClock";

/** Seconds-resolution relative time, on the one clock all labels share. */
export function LastSeen({ ts }: { ts: number }) {
  const now = useSecondClock();
  // Formatted once per second of `ts`, not on every render: a busy device's card renders ten times
  // a second, and toLocaleString is among the dearest calls a card makes.
  const second = Math.floor(ts / 1000);
  const at = useMemo(() => {
    const d = new Date(second * 1000);
    return { iso: d.toISOString(), local: d.toLocaleString() };
  }, [second]);
  if (!ts) return <span className="muted">never</span>;
  const s = Math.max(0, Math.round((now - ts) / 1000));
  const text = s < 2 ? "just now" : s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : at.local;
  return <time dateTime={at.iso} title={at.local}>{text}</time>;
}
