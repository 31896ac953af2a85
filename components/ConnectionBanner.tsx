"use client";
import { useEffect, useState } from "react";
import { useFleet } from "./FleetProvider";

/** Says so when the browser's broker connection is down, when it tries again, and offers to now. */
export function ConnectionBanner() {
  const conn = useFleet((s) => s.connection);
  const retryNow = useFleet((s) => s.retryNow);
  const [now, setNow] = useState(() => Date.now());
  const down = conn.state === "offline" || conn.state === "reconnecting" || (conn.state === "error" && conn.sessions === 0);
  useEffect(() => {
    if (!down) return;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [down]);
  if (!down) return null;
  const seconds = conn.retryAt ? Math.max(0, Math.ceil((conn.retryAt - now) / 1000)) : null;
  return (
    <div className="banner" role="alert" data-testid="connection-banner">
      <strong>{conn.sessions > 0 ? "Live data paused: the broker connection was lost." : "Cannot reach the broker."}</strong>{" "}
      <span className="muted">
        {conn.url}
        {conn.error ? ` (${conn.error})` : ""}. {seconds !== null ? `Trying again in ${seconds} s` : "Trying again"}
        {conn.attempts > 1 ? `, attempt ${conn.attempts}` : ""}. Charts fill the gap from history once it is back.
      </span>{" "}
      {retryNow && (
        <button type="button" onClick={retryNow}>
          Retry now
        </button>
      )}
    </div>
  );
}
