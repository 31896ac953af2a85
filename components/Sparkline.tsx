"use client";
import { useMemo } from "react";
import { seriesLength, type LiveSeries } from "@/lib/state/live-series";
import { sparklinePoints } from "@/lib/state/sparkline-path";

const VIEW_WIDTH = 100;

/**
 * A small live chart: one SVG polyline scaled to the card's width. Not Recharts: dozens of cards
 * redraw on every frame of a busy stream, and a chart library's tree of elements and selectors
 * per card was most of the overview's frame time. A series never changes once made, so its path
 * is drawn again only when the card's device got a new point of this field.
 */
export function Sparkline({ series, height = 48 }: { series: LiveSeries; height?: number }) {
  const path = useMemo(() => sparklinePoints(series, VIEW_WIDTH, height), [series, height]);
  if (seriesLength(series) < 2) return <div className="spark-empty" style={{ height }}>waiting for data…</div>;
  return (
    <svg data-testid="sparkline" viewBox={`0 0 ${VIEW_WIDTH} ${height}`} preserveAspectRatio="none" width="100%" height={height} aria-hidden>
      <polyline points={path} fill="none" stroke="var(--accent)" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
