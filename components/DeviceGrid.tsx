"use client";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "next/navigation";
import { useShallow } from "zustand/react/shallow";
import { recentAlarms } from "@/lib/state/device-events";
import { orderDevices, sameRoster, SORTS, type SortKey } from "@/lib/view/fleet-order";
import { overviewQuery, parseOverview } from "@/lib/view/overview-params";
import { keepAt } from "@/lib/timetravel/at-param";
import type { LiveDevice, LiveDevices } from "@/lib/state/live-devices";
import { conventionLabel } from "@/lib/devices/labels";
import { layoutRows, visibleRows } from "@/lib/view/virtual-rows";
import { DeviceCard } from "./DeviceCard";
import { useFleet } from "./FleetProvider";
import { useGridViewport } from "./useGridViewport";
import { counted } from "@/lib/text/counted";

/** Card geometry, matched by `.vgrid` in globals.css: rows have fixed heights to be virtual. */
const METRICS = { minCardWidth: 230, gap: 12, cardRowHeight: 178, headerHeight: 40 };
/** Rows rendered beyond the viewport on each side, so a scroll never shows blank space. */
const OVERSCAN_PX = 600;

/** The filter matches a device's id, name, group, or convention (its id or its label). */
function matchesNeedle(d: LiveDevice, needle: string): boolean {
  return [d.id, d.name, d.site, d.convention, conventionLabel(d.convention)].some((s) => s.toLowerCase().includes(needle));
}

export function DeviceGrid() {
  // The link's view to start from; then the grid's own state, written back to the URL as it
  // changes, with the history API (integrated with Next's router): a navigation per keystroke in
  // the filter would fetch the page from the server each time.
  const params = useSearchParams();
  const [initial] = useState(() => parseOverview(params));
  const [filter, setFilter] = useState(initial.filter);
  const [sort, setSort] = useState<SortKey>(initial.sort);
  const [bySite, setBySite] = useState(initial.bySite);
  useEffect(() => {
    const query = keepAt(overviewQuery({ filter, sort, bySite }), window.location.search);
    if (query !== window.location.search) window.history.replaceState(null, "", `${window.location.pathname}${query}`);
  }, [filter, sort, bySite]);
  const needle = filter.trim().toLowerCase();
  // [site, id] pairs compared element by element: the grid re-renders when the order changes,
  // not on every telemetry frame (each card selects its own device). Sorted by name, the order
  // is the same while the roster is, so a frame that only brings values reuses it: sorting a
  // thousand devices and building their keys on every frame was the grid's own cost.
  const byName = useRef<{ devices: LiveDevices; query: string; rows: string[] } | null>(null);
  const rows = useFleet(
    useShallow((s) => {
      const query = `${bySite}\u0000${needle}`;
      const last = byName.current;
      if (sort === "name" && last?.query === query && sameRoster(last.devices, s.devices)) {
        byName.current = { ...last, devices: s.devices }; // compare with the newest, and hold no old state
        return last.rows;
      }
      const ordered = orderDevices(
        [...s.devices.values()].filter((d) => !needle || matchesNeedle(d, needle)),
        s.events,
        sort,
        bySite,
        Date.now(),
      ).map((d) => `${d.site}\u0000${d.id}`);
      byName.current = sort === "name" ? { devices: s.devices, query, rows: ordered } : null;
      return ordered;
    }),
  );
  const counts = useFleet(
    useShallow((s) => {
      // In the past, "the last hour" is the hour before the moment shown.
      const now = s.past?.cursor ?? Date.now();
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
  const gridRef = useRef<HTMLDivElement>(null);
  const viewport = useGridViewport(gridRef);
  // The rows beyond the window are there for scrolling: a grid getting its first cards (a fleet
  // appearing) mounts those in view in one frame and the rest in the next, not all in one.
  const [overscan, setOverscan] = useState(0);
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (!hasRows || overscan > 0) return;
    const frame = requestAnimationFrame(() => setOverscan(OVERSCAN_PX));
    return () => cancelAnimationFrame(frame);
  }, [hasRows, overscan]);

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
          {counted(counts[0], "device")} · {counts[1]} online
        </span>
        <span className="muted" data-testid="fleet-health">
          {counts[2]} offline · {counted(counts[3], "alarm")} in the last hour
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
          placeholder="Filter by device, group or convention"
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
      {rows.length === 0 && (
        <p className="empty" role="status">
          {known.state === "loading"
            ? "Loading devices…"
            : needle
              ? `No device matches “${filter}”.`
              : "No devices yet. Devices appear as they publish in a convention Fleetscope reads: Sparkplug B, Homie, Home Assistant discovery, Zigbee2MQTT, Tasmota, your own rules, or the demo layout (JSON telemetry to fleet/<site>/<device>/telemetry, online/offline retained to fleet/<site>/<device>/status)."}
        </p>
      )}
      {/* Always mounted, empty or not, so its size and scroll position are known from the start. */}
      <VirtualGrid groups={groups} bySite={bySite} viewport={viewport} overscan={overscan} gridRef={gridRef} />
    </section>
  );
}

/** Only the rows near the viewport exist in the DOM: a thousand devices cost a screenful of cards. */
function VirtualGrid({
  groups,
  bySite,
  viewport,
  overscan,
  gridRef,
}: {
  groups: { site: string; ids: string[] }[];
  bySite: boolean;
  viewport: { width: number; from: number; to: number };
  /** Pixels rendered beyond the viewport on each side. */
  overscan: number;
  gridRef: React.RefObject<HTMLDivElement | null>;
}) {
  const { rows, height } = layoutRows(groups, bySite, { ...METRICS, width: viewport.width });
  return (
    <div ref={gridRef} className="vgrid" style={{ height }} data-testid="device-grid" data-rows={rows.length}>
      {visibleRows(rows, viewport.from, viewport.to, overscan).map((r) =>
        r.kind === "header" ? (
          <h2 key={`h-${r.site}`} className="site" style={{ top: r.top, height: r.height }}>
            {r.site}
          </h2>
        ) : (
          // Keyed by place, not by device: when devices join the roster, the order shifts under the
          // viewport, and keys by device (or by pixel offset, which a growing site moves) remounted
          // every card in view on each frame of a fleet appearing (a DOM subtree, a canvas and its
          // observer each): frames of 100 ms. By place, a card that now shows another device
          // renders again in the same elements.
          <ul key={`r-${r.index}`} className="grid" style={{ top: r.top, height: r.height }}>
            {r.ids.map((id, slot) => (
              <DeviceCard key={slot} id={id} />
            ))}
          </ul>
        ),
      )}
    </div>
  );
}
