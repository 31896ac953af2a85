"use client";
import { useEffect, useMemo, useState } from "react";
import { exportName, toCsv, toJson } from "@/lib/view/chart-export";
import { Area, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { mergeHistoryAndLive, type HistoryBucket } from "@/lib/state/history-merge";
import { toPoints, type LiveSeries } from "@/lib/state/live-series";
import type { TimeWindow } from "@/lib/view/time-window";
import { axisLabels, axisWidth, formatMeasure, type Unit } from "@/lib/devices/units";
import { useFleet } from "./FleetProvider";
import { ScaleProbe, useDragZoom } from "./useDragZoom";
import { useAlertMarks } from "./alerts/useAlertMarks";
import { getSeries } from "@/lib/api-client/devices";
import { ApiError, errorText } from "@/lib/api-client/request";

/** Buckets asked of the store: about one per two pixels of a chart this wide. */
const HISTORY_POINTS = 400;
/** Room for a tick such as "-123.45 °C". */

type History =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ok"; buckets: HistoryBucket[]; to: number };

const time = (t: number, spanMs: number) =>
  spanMs > 24 * 3_600_000
    ? new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric" })
    : spanMs > 6 * 3_600_000
      ? new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
      : new Date(t).toLocaleTimeString();

/** The widest step between consecutive points: a hole in the data shows up here. */
function maxGap(points: { t: number }[]): number {
  let gap = 0;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i]!.t - points[i - 1]!.t);
  return gap;
}

interface Props {
  device: string;
  field: string;
  /** The live range, ending now; ignored while `window` fixes the view. */
  rangeMs: number;
  window: TimeWindow | null;
  live: LiveSeries;
  paused: boolean;
  /** A window dragged out on the chart. */
  onZoom: (w: TimeWindow) => void;
  unit: Unit | null;
  /** Decimals the operator chose; null formats automatically. */
  decimals: number | null;
}

/** One field: history from the store joined with the live tail, over the chosen range or window; drag to zoom. */
export function FieldChart({ device, field, rangeMs, window: fixed, live: incoming, paused, onZoom, unit, decimals }: Props) {
  // Paused: the chart holds what it showed; the live buffer carries on filling underneath.
  // A series never changes once made, so holding the one of the moment of pausing is a snapshot.
  const [frozen, setFrozen] = useState<LiveSeries | null>(null);
  useEffect(() => setFrozen(paused ? incoming : null), [paused]); // Dependencies on purpose: snapshot at the moment of pausing
  const shown = paused && frozen ? frozen : incoming;
  const live = useMemo(() => toPoints(shown), [shown]);
  const [history, setHistory] = useState<History>({ state: "loading" });
  const [asked, setAsked] = useState(0);
  // Each new broker session may follow a gap in the live tail: history fills it.
  const sessions = useFleet((s) => Math.max(1, s.connection.sessions));

  useEffect(() => {
    const abort = new AbortController();
    // A fixed window is asked for up to now at most: what comes after arrives live.
    const to = fixed ? Math.min(fixed.to, Date.now()) : Date.now();
    const from = fixed ? fixed.from : to - rangeMs;
    setHistory((h) => (h.state === "ok" ? h : { state: "loading" }));
    if (from >= to) {
      setHistory({ state: "ok", buckets: [], to: from });
      return;
    }
    const q = new URLSearchParams({ device, field, from: String(from), to: String(to), points: String(HISTORY_POINTS) });
    getSeries(q, abort.signal).then(
      (body) => setHistory({ state: "ok", buckets: body.points, to }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        // A field the store has no samples of yet: the live tail is all there is.
        setHistory(err instanceof ApiError && err.status === 404 ? { state: "ok", buckets: [], to } : { state: "error", message: errorText(err) });
      },
    );
    return () => abort.abort();
  }, [device, field, rangeMs, fixed?.from, fixed?.to, asked, sessions]); // Dependencies on purpose: the window by value, not by object

  // The live buffer is bounded: once it no longer reaches back to where history ends, ask the
  // store again rather than show a hole that is not in the data.
  const oldestLive = live[0]?.t;
  const historyTo = history.state === "ok" ? history.to : null;
  const fixedTo = fixed?.to;
  useEffect(() => {
    // A window that ended before history was asked for gets nothing live: no refetch for it.
    const windowOpen = fixedTo === undefined || fixedTo > (historyTo ?? 0);
    if (windowOpen && historyTo !== null && oldestLive !== undefined && oldestLive > historyTo + 2000) setAsked((n) => n + 1);
  }, [oldestLive, historyTo, fixedTo]);

  const end = fixed ? fixed.to : Math.max(live.at(-1)?.t ?? 0, historyTo ?? 0) || Date.now();
  const start = fixed ? fixed.from : end - rangeMs;
  const data = useMemo(
    () => (history.state === "ok" ? mergeHistoryAndLive(history.buckets, history.to, live, start, end) : []),
    [history, live, start, end],
  );
  const { selection, inverse, handlers } = useDragZoom(onZoom, [start, end]);
  const marks = useAlertMarks(device, field, start, end);
  const measure = (v: number) => formatMeasure(v, unit, decimals);
  // As wide as its longest label: a fixed width cut "100.8 kPa" to "00.8 kPa".
  const yWidth = useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of data) {
      lo = Math.min(lo, p.band?.[0] ?? p.v, p.v);
      hi = Math.max(hi, p.band?.[1] ?? p.v, p.v);
    }
    return Number.isFinite(lo) ? axisWidth(axisLabels(lo, hi, (v) => formatMeasure(v, unit, decimals))) : 44;
  }, [data, unit, decimals]);

  if (history.state === "error") return <p className="error small" role="alert">Could not load history: {history.message}</p>;
  if (history.state === "loading" && live.length === 0) return <div className="spark-empty" style={{ height: 160 }}>loading history…</div>;
  if (data.length === 0) return <div className="spark-empty" style={{ height: 160 }}>no data in this range</div>;
  const download = (ext: "csv" | "json") => {
    const blob = new Blob([ext === "csv" ? toCsv(device, field, data) : toJson(device, field, data)], { type: ext === "csv" ? "text/csv" : "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = exportName(device, field, ext);
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <div
      data-testid={`chart-${field}`}
      data-points={data.length}
      data-first={data[0]!.t}
      data-last={data.at(-1)!.t}
      data-max-gap={maxGap(data)}
      data-from={start}
      data-to={end}
      data-selecting={selection ? "true" : undefined}
      data-thresholds={marks.lines.length}
      data-firing-bands={marks.bands.length}
    >
      <div className="zoomable" {...handlers}>
        <ResponsiveContainer width="100%" height={160}>
          <ComposedChart data={data} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <XAxis dataKey="t" type="number" domain={[start, end]} allowDataOverflow tickFormatter={(t: number) => time(t, end - start)} minTickGap={40} />
            <YAxis domain={["auto", "auto"]} width={yWidth} tickFormatter={measure} />
            <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} formatter={(v) => (Array.isArray(v) ? v.map((x) => measure(Number(x))).join(" – ") : measure(Number(v)))} />
            <Area dataKey="band" stroke="none" fill="var(--accent)" fillOpacity={0.18} isAnimationActive={false} connectNulls={false} name="min–max" />
            <Line dataKey="v" stroke="var(--accent)" dot={false} isAnimationActive={false} strokeWidth={1.5} name={field} />
            {marks.bands.map((b) => (
              <ReferenceArea key={`${b.alert}-${b.from}`} x1={b.from} x2={b.to} fill="var(--bad)" fillOpacity={0.12} ifOverflow="hidden" />
            ))}
            {marks.lines.map((l) => (
              <ReferenceLine key={l.rule} y={l.value} stroke="var(--bad)" strokeDasharray="4 3" ifOverflow="extendDomain" label={{ value: `${l.name} ${l.op === "above" ? ">" : "<"} ${measure(l.value)}`, position: "insideTopLeft", fontSize: 10, fill: "var(--muted)" }} />
            ))}
            {marks.lines.map((l) => l.clear !== null && <ReferenceLine key={`${l.rule}-clear`} y={l.clear} stroke="var(--warn)" strokeDasharray="2 4" ifOverflow="extendDomain" />)}
            <ScaleProbe into={inverse} />
            {selection && selection.a !== selection.b && <ReferenceArea x1={selection.a} x2={selection.b} fill="var(--accent)" fillOpacity={0.25} ifOverflow="hidden" />}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="chart-actions">
        <button type="button" onClick={() => download("csv")} aria-label={`Export ${field} as CSV`}>
          CSV
        </button>
        <button type="button" onClick={() => download("json")} aria-label={`Export ${field} as JSON`}>
          JSON
        </button>
      </div>
    </div>
  );
}
