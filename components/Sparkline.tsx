"use client";
import { sparklinePoints } from "@/lib/state/sparkline-path";
import type { Point } from "@/lib/state/live-devices";

const VIEW_WIDTH = 100;

/**
 * A small live chart: one SVG polyline scaled to the card's width. Not Recharts: dozens of cards
 * redraw on every frame of a busy stream, and a chart library's tree of elements and selectors
 * per card was most of the overview's frame time.
 */
export function Sparkline({ points, height = 48 }: { points: Point[]; height?: number }) {
  if (points.length < 2) return <div className="spark-empty" style={{ height }}>waiting for data…</div>;
  return (
    <svg data-testid="sparkline" viewBox={`0 0 ${VIEW_WIDTH} ${height}`} preserveAspectRatio="none" width="100%" height={height} aria-hidden>
      <polyline points={sparklinePoints(points, VIEW_WIDTH, height)} fill="none" stroke="var(--accent)" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
