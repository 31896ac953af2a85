"use client";
import { PROTOCOL_NAMES } from "@/lib/mqtt/protocol";
import { useFleet } from "./FleetProvider";

const LABEL = { connecting: "connecting", connected: "live", reconnecting: "reconnecting", offline: "offline", error: "error" } as const;

export function ConnectionBadge() {
  const { state, url, error, protocol } = useFleet((s) => s.connection);
  // The level the broker accepted at the last connect: what this tab can see and send (MQTT 5 properties or none).
  const level = protocol ? PROTOCOL_NAMES[protocol] : null;
  return (
    <span className={`badge conn-${state}`} title={`${url}${level ? ` (${level})` : ""}${error ? `: ${error}` : ""}`} data-testid="connection" data-state={state} data-protocol={protocol ?? ""}>
      <span className="dot" aria-hidden /> broker {LABEL[state]}
      {level && <span className="small"> · {level}</span>}
    </span>
  );
}
