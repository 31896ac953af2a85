"use client";
import { useFleet } from "./FleetProvider";

const LABEL = { connecting: "connecting", connected: "live", reconnecting: "reconnecting", offline: "offline", error: "error" } as const;

export function ConnectionBadge() {
  const { state, url, error } = useFleet((s) => s.connection);
  return (
    <span className={`badge conn-${state}`} title={error ? `${url}: ${error}` : url} data-testid="connection" data-state={state}>
      <span className="dot" aria-hidden /> broker {LABEL[state]}
    </span>
  );
}
