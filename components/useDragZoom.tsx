"use client";
import { useEffect, useRef, useState, type MouseEvent, type RefObject } from "react";
import { useXAxisInverseScale } from "recharts";
import { zoomSelection, type TimeWindow } from "@/lib/view/time-window";

type Inverse = ((pixel: number) => unknown) | null;

/** Rendered inside the chart: hands the x axis' pixel → time function to the drag handlers. */
export function ScaleProbe({ into }: { into: RefObject<Inverse> }) {
  into.current = useXAxisInverseScale() ?? null;
  return null;
}

/**
 * Drag across a chart to choose a window: mouse handlers for the chart's box and the selection to
 * draw. Times come from the pixel under the mouse (not the nearest data point), so a sparse chart
 * zooms into its empty stretches too. Escape cancels a drag; a release outside the chart still ends it.
 */
export function useDragZoom(onZoom: (w: TimeWindow) => void, domain: [number, number]) {
  const [selection, setSelection] = useState<{ a: number; b: number } | null>(null);
  const inverse = useRef<Inverse>(null);
  // The window listeners read the latest values without re-subscribing on every mouse move.
  const latest = useRef({ selection, onZoom, domain });
  latest.current = { selection, onZoom, domain };
  const dragging = selection !== null;

  useEffect(() => {
    if (!dragging) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setSelection(null);
    const onUp = () => {
      const { selection: s, onZoom: zoom, domain: bounds } = latest.current;
      setSelection(null);
      const w = s && zoomSelection(s.a, s.b, bounds);
      if (w) zoom(w);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("mouseup", onUp);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("mouseup", onUp);
    };
  }, [dragging]);

  const timeAt = (e: MouseEvent<HTMLElement>): number => {
    const surface = e.currentTarget.querySelector("svg.recharts-surface");
    const scale = inverse.current;
    if (!surface || !scale) return Number.NaN;
    const [lo, hi] = latest.current.domain;
    return Math.min(hi, Math.max(lo, Number(scale(e.clientX - surface.getBoundingClientRect().left))));
  };
  return {
    selection,
    inverse,
    handlers: {
      onMouseDown: (e: MouseEvent<HTMLElement>) => {
        if (e.button !== 0) return;
        const t = timeAt(e);
        if (Number.isFinite(t)) setSelection({ a: t, b: t });
      },
      onMouseMove: (e: MouseEvent<HTMLElement>) => {
        const s = latest.current.selection;
        if (!s) return;
        const t = timeAt(e);
        if (Number.isFinite(t) && t !== s.b) setSelection({ a: s.a, b: t });
      },
    },
  };
}
