"use client";
import { useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { formatAt } from "@/lib/timetravel/describe";
import { fractionOf, scrubRange, SPANS, timeAt, type Range, type SpanKey } from "@/lib/timetravel/timeline";
import { useSecondClock } from "../useSecondClock";
import { useFleet } from "../FleetProvider";
import { useTimelineMarks } from "./useTimelineMarks";
import s from "./timetravel.module.css";

const STEP_MS = 1000;
const PAGE_MS = 60_000;
/** Devices whose stored series the timeline reads for gaps in stored data. */
const GAP_DEVICES = 4;

/**
 * The header's timeline: a slider over the chosen span, with the store's offline spells, alarms
 * and commands drawn on it. A click or a drag sets the cursor (when released, so a drag asks the
 * server once); Left/Right step a second, Shift with them a message, Page keys a minute, End live.
 */
export function Scrubber({ cursor, onSet, onStepMessage }: { cursor: number | null; onSet: (at: number | null) => void; onStepMessage: (dir: 1 | -1) => void }) {
  const now = useSecondClock();
  const [span, setSpan] = useState<SpanKey>("1h");
  const spanMs = SPANS.find((x) => x.key === span)!.ms;
  // Held still while dragging: a range following the cursor would slide under the pointer.
  const [dragging, setDragging] = useState<{ range: Range; t: number } | null>(null);
  const range = dragging?.range ?? scrubRange(cursor, now, spanMs);
  // The first few devices with telemetry, each with its first field, as a string so the selector
  // is stable; it runs on every frame, so it stops at the few it needs.
  const sample = useFleet((st) => {
    const picks: string[] = [];
    for (const d of st.devices.values()) {
      const field = Object.keys(d.values).sort()[0];
      if (field) picks.push(`${d.id}\u0000${field}`);
      if (picks.length === GAP_DEVICES) break;
    }
    return picks.sort().join("|");
  });
  const marks = useTimelineMarks(range, sample);
  const track = useRef<HTMLDivElement>(null);
  const at = dragging?.t ?? cursor ?? now;

  const timeOf = (e: PointerEvent, r: Range) => {
    const box = track.current!.getBoundingClientRect();
    return timeAt((e.clientX - box.left) / box.width, r);
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    setDragging({ range, t: timeOf(e, range) });
  };
  const onPointerMove = (e: PointerEvent) => {
    if (dragging) setDragging({ ...dragging, t: timeOf(e, dragging.range) });
  };
  const onPointerUp = (e: PointerEvent) => {
    if (!dragging) return;
    const t = timeOf(e, dragging.range);
    setDragging(null);
    onSet(t >= Date.now() - STEP_MS ? null : t);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const from = cursor ?? Date.now();
    const move = (to: number) => onSet(to >= Date.now() ? null : to);
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const dir = e.key === "ArrowLeft" ? -1 : 1;
      if (e.shiftKey) onStepMessage(dir);
      else move(from + dir * STEP_MS);
    } else if (e.key === "PageUp" || e.key === "PageDown") move(from + (e.key === "PageUp" ? -PAGE_MS : PAGE_MS));
    else if (e.key === "End") onSet(null);
    else return;
    e.preventDefault();
  };

  return (
    <div className={s.scrubber}>
      <div
        ref={track}
        className={s.track}
        role="slider"
        tabIndex={0}
        aria-label="Time cursor"
        aria-valuemin={range.from}
        aria-valuemax={range.to}
        aria-valuenow={at}
        aria-valuetext={cursor === null && !dragging ? "live" : formatAt(at)}
        data-testid="scrubber"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDragging(null)}
        onKeyDown={onKeyDown}
      >
        {marks.state === "ok" &&
          marks.marks.map((m, i) =>
            "t" in m ? (
              <span key={i} className={s[m.kind]} style={{ left: `${fractionOf(m.t, range) * 100}%` }} title={`${formatAt(m.t)} ${m.label}`} data-mark={m.kind} />
            ) : (
              <span
                key={i}
                className={s[m.kind]}
                style={{ left: `${fractionOf(m.from, range) * 100}%`, width: `${Math.max(0.3, (fractionOf(m.to, range) - fractionOf(m.from, range)) * 100)}%` }}
                title={`${formatAt(m.from)}–${formatAt(m.to)} ${m.label}`}
                data-mark={m.kind}
              />
            ),
          )}
        <span className={s.thumb} style={{ left: `${fractionOf(at, range) * 100}%` }} aria-hidden />
      </div>
      <select aria-label="Timeline span" value={span} onChange={(e) => setSpan(e.target.value as SpanKey)}>
        {SPANS.map((x) => (
          <option key={x.key} value={x.key}>
            {x.label}
          </option>
        ))}
      </select>
      {dragging && <span className="small">{formatAt(dragging.t)}</span>}
      {marks.state === "error" && (
        <span className="error small" role="alert">
          Timeline marks: {marks.error}
        </span>
      )}
      {marks.state === "ok" && marks.truncated && <span className="muted small">marks cut at 1,000 each: pick a shorter span</span>}
    </div>
  );
}
