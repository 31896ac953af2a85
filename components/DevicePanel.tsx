"use client";
import { AtLink } from "./timetravel/AtLink";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { RANGES } from "@/lib/state/history-merge";
import { EMPTY_SERIES } from "@/lib/state/live-series";
import { parseView, toggleField, viewProblems, viewQuery, type View } from "@/lib/view/view-params";
import { keepAt } from "@/lib/timetravel/at-param";
import { pastWindowEnd } from "@/lib/state/past-view";
import type { DeviceWithValues } from "@/lib/devices/model";
import { formatMeasure, unitFor } from "@/lib/devices/units";
import { useFleet } from "./FleetProvider";
import { conventionLabel } from "@/lib/devices/labels";
import { LastSeen } from "./LastSeen";
import { DecimalsPicker } from "./DecimalsPicker";
import { EventFeed } from "./EventFeed";
import { FieldChart } from "./FieldChart";
import { RangeBar } from "./RangeBar";
import { StatusDot } from "./StatusDot";
import { StatusTimeline } from "./StatusTimeline";
import { getDevice } from "@/lib/api-client/devices";
import { ApiError, errorText } from "@/lib/api-client/request";

type Loaded = { state: "loading" } | { state: "missing" } | { state: "error"; message: string } | { state: "ok"; device: DeviceWithValues };

/** One device: its latest values, and a chart per field joining stored history and the live tail. */
export function DevicePanel({ id, actions }: { id: string; actions?: ReactNode }) {
  const live = useFleet((s) => s.devices.get(id));
  const [stored, setStored] = useState<Loaded>({ state: "loading" });
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  // The URL holds the range, window and fields, so a link opens the same view.
  // In the past (`?at=`), the range ends at the moment shown, and the latest values are the past
  // store's: today's stored ones must not fill in for them.
  const pastAt = useFleet((s) => (s.past ? s.past.at : null));
  const pastState = useFleet((s) => s.past?.state ?? null);
  const urlView = parseView(params);
  const pastEnd = useFleet((s) => (s.past ? pastWindowEnd(s.past.at, s.past.cursor, RANGES.find((r) => r.key === urlView.range)!.ms) : null));
  const linkProblems = viewProblems(params);
  const range = RANGES.find((r) => r.key === urlView.range)!;
  const view: View = pastEnd !== null && !urlView.window ? { ...urlView, window: { from: pastEnd - range.ms, to: pastEnd } } : urlView;
  const rangeMs = range.ms;
  const shownFields = view.fields;
  // Changes build on the last view asked for, not the one rendered: two clicks before the URL
  // catches up (router.replace is a transition) must not undo each other.
  const asked = useRef(urlView);
  const query = params.toString();
  useEffect(() => {
    asked.current = parseView(new URLSearchParams(query));
  }, [query]);
  const setView = (change: (v: View) => View) => {
    asked.current = change(asked.current);
    router.replace(`${pathname}${keepAt(viewQuery(asked.current), window.location.search)}`, { scroll: false });
  };
  const [paused, setPaused] = useState(false);

  useEffect(() => {
    if (pastAt !== null) return setStored(pastState === "loaded" ? { state: "missing" } : { state: "loading" });
    const abort = new AbortController();
    getDevice(id, abort.signal).then(
      (device) => setStored({ state: "ok", device }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setStored(err instanceof ApiError && err.status === 404 ? { state: "missing" } : { state: "error", message: errorText(err) });
      },
    );
    return () => abort.abort();
  }, [id, pastAt, pastState]);

  const base = stored.state === "ok" ? stored.device : null;
  const status = live?.status !== "unknown" && live ? live.status : (base?.status ?? "unknown");
  const lastSeen = Math.max(live?.lastSeen ?? 0, base?.lastSeen ?? 0);
  const statusReason = live?.status !== "unknown" && live ? live.statusReason : (base?.statusReason ?? null);
  const name = live?.name && live.name !== id ? live.name : (base?.name ?? live?.name ?? id);
  const values: Record<string, number> = { ...Object.fromEntries(Object.entries(base?.values ?? {}).map(([k, v]) => [k, v.value])), ...live?.values };
  // Paused, the values beside the charts hold with them: a number moving over a still chart read as
  // the pause not working.
  const held = useRef(values);
  if (!paused) held.current = values;
  const shownValues = paused ? held.current : values;
  const allFields = Object.keys(values).sort();
  const picked = shownFields ? allFields.filter((f) => shownFields.includes(f)) : allFields;
  // A link naming only fields this device does not report shows all of them, and says so.
  const pickedNone = shownFields !== null && picked.length === 0 && allFields.length > 0;
  const fields = pickedNone ? allFields : picked;

  if (!live && stored.state === "missing") {
    return (
      <section>
        <p className="empty" role="status">
          {pastAt !== null ? `No device “${id}” had been seen by then.` : `No device “${id}” has been seen. It appears here as soon as it publishes.`}
        </p>
        <AtLink href="/">← Fleet</AtLink>
      </section>
    );
  }
  return (
    <section aria-label={`Device ${id}`}>
      <div className="toolbar">
        <AtLink href="/">← Fleet</AtLink>
        <h1 className="device-id">{name}</h1>
        <span className="badge" data-testid="convention" title="The device convention it was read by">
          {conventionLabel(live?.convention ?? base?.convention ?? "demo")}
        </span>
        <StatusDot status={status} />
        {statusReason && (
          <span className="muted small" data-testid="status-reason">
            {statusReason}
          </span>
        )}
        <span className="muted">
          {live?.site ?? base?.site} · seen <LastSeen ts={lastSeen} />
          {name !== id && <> · id {id}</>}
        </span>
        {actions}
      </div>
      <RangeBar view={view} onView={setView} paused={paused} onPause={() => setPaused((p) => !p)} />
      {stored.state === "loading" && !live && <p className="muted" role="status">Loading…</p>}
      {stored.state === "error" && <p className="error" role="alert">Could not load stored values: {stored.message}</p>}
      {allFields.length > 1 && (
        <div className="field-picker" role="group" aria-label="Fields">
          {allFields.map((f) => (
            <button key={f} type="button" aria-pressed={fields.includes(f)} onClick={() => setView((v) => ({ ...v, fields: toggleField(pickedNone ? null : v.fields, allFields, f) }))}>
              {f}
            </button>
          ))}
        </div>
      )}
      {linkProblems.length > 0 && (
        <p className="muted small" role="status" data-testid="view-problems">
          This link&apos;s {linkProblems.join("; ")}: showing {view.window ? "its window" : `live ${range.label}`} instead.
        </p>
      )}
      {pickedNone && (
        <p className="muted small" role="status" data-testid="fields-unknown">
          This device reports none of the fields the link names ({shownFields.join(", ")}): all its fields are shown.
        </p>
      )}
      <StatusTimeline device={id} rangeMs={rangeMs} window={view.window} />
      {allFields.length === 0 && stored.state !== "loading" && <p className="empty">No numeric telemetry yet.</p>}
      <ul className="panels">
        {fields.map((f) => {
          const unit = unitFor(f, live?.units[f] ?? base?.values[f]?.unit);
          const decimals = view.decimals[f] ?? null;
          return (
            <li key={f} className="card">
              <div className="card-head">
                <span title={unit?.name}>{f}</span>
                <DecimalsPicker
                  field={f}
                  value={decimals}
                  onChange={(d) =>
                    setView((v) => {
                      const next = { ...v.decimals };
                      if (d === null) delete next[f];
                      else next[f] = d;
                      return { ...v, decimals: next };
                    })
                  }
                />
                <strong data-testid={`value-${f}`}>{formatMeasure(shownValues[f] ?? values[f]!, unit, decimals)}</strong>
              </div>
              <FieldChart
                device={id}
                field={f}
                rangeMs={rangeMs}
                window={view.window}
                live={live?.series[f] ?? EMPTY_SERIES}
                paused={paused}
                onZoom={(w) => setView((v) => ({ ...v, window: w }))}
                unit={unit}
                decimals={decimals}
              />
            </li>
          );
        })}
      </ul>
      <EventFeed device={id} window={view.window} />
    </section>
  );
}
