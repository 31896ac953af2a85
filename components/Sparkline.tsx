"use client";
import { useEffect, useLayoutEffect, useRef } from "react";
import { seriesLength, type LiveSeries } from "@/lib/state/live-series";
import { sparklinePath, sparklineScale } from "@/lib/view/sparkline-path";

/** The accent and warning colours, read from the stylesheet once: each card reading them forced a style pass. */
let stroke: string | undefined;
let warn: string | undefined;

/** Values drawn across the card as dashed lines: an alert rule's threshold (and its clear value, fainter). */
export interface SparklineLevel {
  value: number;
  faint?: boolean;
}

const NO_LEVELS: readonly SparklineLevel[] = [];

/**
 * A small live chart drawn on a canvas. Not Recharts, nor an SVG polyline: dozens of cards redraw
 * on every frame of a busy stream, and a chart library's tree of elements per card, then a
 * `points` string per redraw (parsed again by the browser), were most of the overview's frame
 * script and garbage. A canvas takes the path as it is computed (lib/view/sparkline-path.ts).
 */
export function Sparkline({ series, height = 48, levels = NO_LEVELS }: { series: LiveSeries; height?: number; levels?: readonly SparklineLevel[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The stroke colour, set once the canvas has been sized to its box (when it is resized): reading
  // the box or the style on every redraw would make the browser lay out the page mid-frame.
  const sizedStroke = useRef<string | null>(null);
  const drawn = useRef<{ series: LiveSeries; levels: readonly SparklineLevel[] } | null>(null);
  const draw = (s: LiveSeries, marks: readonly SparklineLevel[]) => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx || sizedStroke.current === null) return;
    drawn.current = { series: s, levels: marks };
    ctx.clearRect(0, 0, c.width, c.height);
    const values = marks.map((m) => m.value);
    const scale = ratio(c.height / height);
    if (marks.length > 0) {
      const at = sparklineScale(s, c.width, c.height, values);
      if (at) {
        ctx.save();
        ctx.setLineDash([4 * scale, 3 * scale]);
        ctx.lineWidth = scale;
        ctx.strokeStyle = warn ?? sizedStroke.current;
        for (const m of marks) {
          ctx.globalAlpha = m.faint ? 0.45 : 1;
          const y = Math.round(at.y(m.value)) + 0.5;
          ctx.beginPath();
          ctx.moveTo(0, y);
          ctx.lineTo(c.width, y);
          ctx.stroke();
        }
        ctx.restore();
      }
    }
    ctx.beginPath();
    sparklinePath(s, c.width, c.height, (x, y) => ctx.lineTo(x, y), undefined, values);
    ctx.strokeStyle = sizedStroke.current;
    ctx.lineWidth = 1.5 * scale;
    ctx.stroke();
  };
  const latest = useRef({ series, levels });
  latest.current = { series, levels };
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const resized = new ResizeObserver(([entry]) => {
      const width = entry!.contentRect.width;
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.max(1, Math.round(width * dpr));
      c.height = Math.round(height * dpr);
      stroke ??= getComputedStyle(c).getPropertyValue("--accent").trim() || "#5794f2";
      warn ??= getComputedStyle(c).getPropertyValue("--warn").trim() || "#e0b400";
      sizedStroke.current = stroke;
      draw(latest.current.series, latest.current.levels);
    });
    resized.observe(c);
    return () => resized.disconnect();
  }, [height]); // Dependencies on purpose: draw reads refs only
  // Before the browser paints this frame, and only when the card's series (or its levels) is a new one.
  useLayoutEffect(() => {
    if (drawn.current?.series !== series || drawn.current.levels !== levels) draw(series, levels);
  });
  const empty = seriesLength(series) < 2;
  // The canvas is always laid out and the waiting note lies over it: a canvas shown only from
  // its second point changed every card's layout, and sized every canvas anew, in the frame a
  // fleet's second messages came (a long task of its own on the overview).
  return (
    <div className="spark" style={{ height }}>
      <canvas ref={canvas} data-testid="sparkline" data-state={empty ? "waiting" : "drawn"} data-levels={levels.length} style={{ width: "100%", height, display: "block" }} aria-hidden />
      {empty && <div className="spark-empty spark-waiting">waiting for data…</div>}
    </div>
  );
}

/** Device pixels per CSS pixel of the canvas's height. */
const ratio = (r: number) => (Number.isFinite(r) && r > 0 ? r : 1);
