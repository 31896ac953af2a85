"use client";
import { useEffect, useState } from "react";

/** Seconds-resolution relative time: one shared-rate tick per mounted label, cheap at fleet sizes. */
export function LastSeen({ ts }: { ts: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  if (!ts) return <span className="muted">never</span>;
  const s = Math.max(0, Math.round((now - ts) / 1000));
  const text = s < 2 ? "just now" : s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : new Date(ts).toLocaleString();
  return <time dateTime={new Date(ts).toISOString()} title={new Date(ts).toLocaleString()}>{text}</time>;
}
