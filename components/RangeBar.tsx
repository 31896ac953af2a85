"use client";
import { useRef, useState, type FormEvent } from "react";
import { RANGES } from "@/lib/state/history-merge";
import { parseCustomRange, toLocalInput, type TimeWindow } from "@/lib/view/time-window";
import type { View } from "@/lib/view/view-params";

const label = (key: string) => (key === "5m" ? "live 5 min" : (RANGES.find((r) => r.key === key)?.label ?? key));
const stamp = (t: number) => new Date(t).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Preset ranges, a custom from/to, Reset out of a custom or zoomed window, and pause of the live tail. */
export function RangeBar({ view, onView, paused, onPause }: { view: View; onView: (change: (v: View) => View) => void; paused: boolean; onPause: () => void }) {
  const [editing, setEditing] = useState(false);
  const customButton = useRef<HTMLButtonElement>(null);
  // Closing the form by keyboard puts focus back where it was opened from, not on the page's top.
  const close = () => {
    setEditing(false);
    customButton.current?.focus();
  };
  const rangeMs = RANGES.find((r) => r.key === view.range)!.ms;

  return (
    <div className="range-bar">
      <div className="ranges" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button key={r.key} type="button" aria-pressed={!view.window && r.key === view.range} onClick={() => onView((v) => ({ ...v, range: r.key, window: null }))}>
            {label(r.key)}
          </button>
        ))}
        <button ref={customButton} type="button" aria-pressed={view.window !== null} aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
          custom…
        </button>
        {view.window && (
          <>
            <span className="window small" data-testid="window">
              {stamp(view.window.from)} – {stamp(view.window.to)}
            </span>
            <button type="button" onClick={() => onView((v) => ({ ...v, window: null }))}>
              Reset to {label(view.range)}
            </button>
          </>
        )}
        <button type="button" className="pause" aria-pressed={paused} onClick={onPause}>
          {paused ? "▶ Resume live" : "❚❚ Pause live"}
        </button>
      </div>
      {editing && (
        <CustomRange
          initial={view.window ?? { from: Date.now() - rangeMs, to: Date.now() }}
          onApply={(w) => {
            close();
            onView((v) => ({ ...v, window: w }));
          }}
          onCancel={close}
        />
      )}
      <p className="muted small hint">Drag across a chart to zoom in; Esc cancels a drag.</p>
    </div>
  );
}

function CustomRange({ initial, onApply, onCancel }: { initial: TimeWindow; onApply: (w: TimeWindow) => void; onCancel: () => void }) {
  const [from, setFrom] = useState(() => toLocalInput(initial.from));
  const [to, setTo] = useState(() => toLocalInput(initial.to));
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = parseCustomRange(from, to);
    if (r.ok) onApply(r.window);
    else setError(r.error);
  };
  return (
    <form className="custom-range" aria-label="Custom range" onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <label>
        From <input type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} aria-invalid={error !== null} autoFocus />
      </label>
      <label>
        To <input type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={error !== null} />
      </label>
      <button type="submit">Apply</button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
