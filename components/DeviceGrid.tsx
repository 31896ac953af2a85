"use client";
import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { DeviceCard } from "./DeviceCard";
import { useFleet } from "./FleetProvider";

export function DeviceGrid() {
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  // Ids only, compared element by element: the grid re-renders when devices come and go,
  // not on every telemetry frame (each card selects its own device).
  const ids = useFleet(
    useShallow((s) =>
      [...s.devices.values()]
        .filter((d) => !needle || d.id.toLowerCase().includes(needle) || d.site.toLowerCase().includes(needle))
        .sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id))
        .map((d) => d.id),
    ),
  );
  const counts = useFleet(
    useShallow((s) => {
      let online = 0;
      for (const d of s.devices.values()) if (d.status === "online") online++;
      return [s.devices.size, online] as const;
    }),
  );
  const known = useFleet((s) => s.known);

  return (
    <section aria-label="Devices">
      <div className="toolbar">
        <h1>Fleet</h1>
        <span className="muted" data-testid="fleet-counts">
          {counts[0]} devices · {counts[1]} online
        </span>
        <input
          type="search"
          placeholder="Filter by device or site"
          aria-label="Filter devices"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {known.state === "error" && (
        <p className="error" role="alert">
          Could not load the device list: {known.error}. Live devices still appear below as they report.
        </p>
      )}
      {ids.length === 0 ? (
        <p className="empty" role="status">
          {known.state === "loading"
            ? "Loading devices…"
            : needle
              ? `No device matches “${filter}”.`
              : "No devices yet. Publish to fleet/<site>/<device>/telemetry and it appears here."}
        </p>
      ) : (
        <ul className="grid">
          {ids.map((id) => (
            <DeviceCard key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}
