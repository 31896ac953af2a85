"use client";
import { Line, LineChart, ResponsiveContainer, XAxis, YAxis } from "recharts";
import type { Point } from "@/lib/state/live-devices";

/** A small live chart; the series is already bounded, and animation is off so frames stay cheap. */
export function Sparkline({ points, height = 48 }: { points: Point[]; height?: number }) {
  if (points.length < 2) return <div className="spark-empty" style={{ height }}>waiting for data…</div>;
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
        <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} hide />
        <YAxis domain={["auto", "auto"]} hide />
        <Line type="monotone" dataKey="v" stroke="var(--accent)" dot={false} isAnimationActive={false} strokeWidth={1.5} />
      </LineChart>
    </ResponsiveContainer>
  );
}
