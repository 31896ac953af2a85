"use client";
import { useMemo } from "react";
import { AtLink } from "./timetravel/AtLink";
import { recentAlarms } from "@/lib/state/device-events";
import { headlineField, messageRate } from "@/lib/state/live-devices";
import { EMPTY_SERIES } from "@/lib/state/live-series";
import { formatValue, unitFor } from "@/lib/devices/units";
import { useFleet } from "./FleetProvider";
import { useThresholdLines } from "./alerts/useAlertMarks";
import { conventionLabel } from "@/lib/devices/labels";
import { LastSeen } from "./LastSeen";
import { Sparkline } from "./Sparkline";
import { StatusDot } from "./StatusDot";
import { CardAlert } from "./alerts/CardAlert";
import { counted } from "@/lib/text/counted";

/** Latest values shown on a card; the device page shows them all. */
const CARD_VALUES = 3;

export function DeviceCard({ id }: { id: string }) {
  const d = useFleet((s) => s.devices.get(id));
  // Counted as of the moment shown: now, or the cursor of a past view (`?at=`).
  const alarms = useFleet((s) => recentAlarms(s.events.get(id), s.past?.cursor ?? Date.now()));
  const rate = useFleet((s) => messageRate(s.devices.get(id)?.arrivals ?? [], s.past?.cursor ?? Date.now()));
  const field = d ? headlineField(d) : undefined;
  const lines = useThresholdLines(id, field);
  // The rules' thresholds across the sparkline, their clear values fainter: an array of its own
  // only when the rules change, so the canvas redraws for new data, not for every render.
  const levels = useMemo(() => lines.flatMap((l) => [{ value: l.value }, ...(l.clear === null ? [] : [{ value: l.clear, faint: true }])]), [lines]);
  if (!d) return null;
  const shown = Object.keys(d.values).filter((f) => !f.includes(".")).slice(0, CARD_VALUES);
  return (
    <li className="card" data-testid="device-card" data-device={d.id}>
      <div className="card-head">
        {/* Not prefetched: every card in view would fetch its device page, dozens at once when a fleet appears. */}
        <AtLink href={`/devices/${encodeURIComponent(d.id)}`} prefetch={false} className="device-id">{d.name}</AtLink>
        <CardAlert device={d.id} />
        <StatusDot status={d.status} title={d.statusReason ?? undefined} />
      </div>
      <div className="muted small">
        {d.convention !== "demo" && (
          <>
            <span className="badge" data-testid="convention">{conventionLabel(d.convention)}</span>{" "}
          </>
        )}
        {d.site} · seen <LastSeen ts={d.lastSeen} /> · <span data-testid="rate">{rate ? `${rate.toFixed(1)} msg/s` : "idle"}</span>
        {alarms > 0 && (
          <>
            {" · "}
            <span className="alarm-count" data-testid="alarms">
              {counted(alarms, "alarm")}
            </span>
          </>
        )}
      </div>
      <dl className="values">
        {shown.map((f) => (
          <div key={f}>
            <dt>{f}</dt>
            <dd>
              <span data-testid={`value-${f}`}>{formatValue(d.values[f]!)}</span>
              {unitSymbol(f, d.units[f])}
            </dd>
          </div>
        ))}
      </dl>
      {field && <div className="muted small">{field}</div>}
      <Sparkline series={(field && d.series[field]) || EMPTY_SERIES} levels={levels} />
    </li>
  );
}

/** The field's unit after its value, apart from it (the value's own text stays the number). */
function unitSymbol(field: string, said: string | undefined) {
  const unit = unitFor(field, said);
  return unit ? <span className="muted" title={unit.name}>{`\u00a0${unit.symbol}`}</span> : null;
}
