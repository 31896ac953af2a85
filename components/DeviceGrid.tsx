"use client";
import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { recentAlarms } from "@/lib/state/device-events";
import { orderDevices, SORTS, type SortKey } from "@/lib/state/fleet-order";
import { DeviceCard } from "./DeviceCard";
import { useFleet } from "./FleetProvider";

export function DeviceGrid() {
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SortKey>("name");
  const [bySite, setBySite] = useState(true);
  const needle = filter.trim().toLowerCase();
  // [site, id] pairs compared element by element: the grid re-renders when the order changes,
  // not on every telemetry frame (each card selects its own device).
  const rows = useFleet(
    useShallow((s) =>
      orderDevices(
        [...s.devices.values()].filter((d) => !needle || d.id.toLowerCase().includes(needle) || d.site.toLowerCase().includes(needle)),
        s.events,
        sort,
        bySite,
        Date.now(),
      ).map((d) => `${d.site}\u0000${d.id}`),
    ),
  );
  const counts = useFleet(
    useShallow((s) => {
      const now = Date.now();
      let online = 0;
      let offline = 0;
      let alarms = 0;
      for (const d of s.devices.values()) {
        if (d.status === "online") online++;
        else if (d.status === "offline") offline++;
        alarms += recentAlarms(s.events.get(d.id), now);
      }
      return [s.devices.size, online, offline, alarms] as const;
    }),
  );
  const known = useFleet((s) => s.known);

  const groups: { site: string; ids: string[] }[] = [];
  for (const row of rows) {
    const [site, id] = row.split("\u0000") as [string, string];
    const last = groups[groups.length - 1];
    if (bySite && last?.site === site) last.ids.push(id);
    else if (bySite || !last) groups.push({ site: bySite ? site : "", ids: [id] });
    else last.ids.push(id);
  }

  return (
    <section aria-label="Devices">
      <div className="toolbar">
        <h1>Fleet</h1>
        <span className="muted" data-testid="fleet-counts">
          {counts[0]} devices · {counts[1]} online
        </span>
        <span className="muted" data-testid="fleet-health">
          {counts[2]} offline · {counts[3]} alarms in the last hour
        </span>
        <label className="small">
          Sort{" "}
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            {Object.entries(SORTS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          <input type="checkbox" checked={bySite} onChange={(e) => setBySite(e.target.checked)} /> group by site
        </label>
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
      {rows.length === 0 ? (
        <p className="empty" role="status">
          {known.state === "loading"
            ? "Loading devices…"
            : needle
              ? `No device matches “${filter}”.`
              : "No devices yet. Publish JSON telemetry to fleet/<site>/<device>/telemetry (and online/offline, retained, to fleet/<site>/<device>/status) and it appears here."}
        </p>
      ) : (
        groups.map((g) => (
          <div key={g.site || "all"}>
            {bySite && <h2 className="site">{g.site}</h2>}
            <ul className="grid">
              {g.ids.map((id) => (
                <DeviceCard key={id} id={id} />
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}
