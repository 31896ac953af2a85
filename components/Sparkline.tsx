"use client";
import { useEffect, useLayoutEffect, useRef } from "react";
import { seriesLength, type LiveSeries } from "@/lib/state/live-series";
import { sparklinePath } from "@/lib/state/sparkline-path";

/** The accent colour, read from the stylesheet once: each card reading it forced a style pass. */
let stroke: string | undefined;

/**
 * A small live chart drawn on a canvas. Not Recharts, nor an SVG polyline: dozens of cards redraw
 * on every frame of a busy stream, and a chart library's tree of elements per card, then a
 * `points` string per redraw (parsed again by the browser), were most of the overview's frame
 * script and garbage. A canvas takes the path as it is computed (lib/state/sparkline-path.ts).
 */
export function Sparkline({ series, height = 48 }: { series: LiveSeries; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The stroke colour, set once the canvas has been sized to its box (when it is resized): reading
  // the box or the style on every redraw would make the browser lay out the page mid-frame.
  const sizedStroke = useRef<string | null>(null);
  const drawn = useRef<LiveSeries | null>(null);
  const draw = (s: LiveSeries) => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx || sizedStroke.current === null) return;
    drawn.current = s;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.beginPath();
    sparklinePath(s, c.width, c.height, (x, y) => ctx.lineTo(x, y));
    ctx.strokeStyle = sizedStroke.current;
    ctx.lineWidth = 1.5 * (c.height / height);
    ctx.stroke();
  };
  const latest = useRef(series);
  latest.current = series;
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const resized = new ResizeObserver(([entry]) => {
      const width = entry!.contentRect.width;
      const dpr = window.devicePixelRatio || 1;
      c.width = Math.max(1, Math.round(width * dpr));
      c.height = Math.round(height * dpr);
      stroke ??= getComputedStyle(c).getPropertyValue("--accent").trim() || "#5794f2";
      sizedStroke.current = stroke;
      draw(latest.current);
    });
    resized.observe(c);
    return () => resized.disconnect();
  }, [height]); // eslint-disable-line react-hooks/exhaustive-deps -- draw reads refs only
  // Before the browser paints this frame, and only when the card's series is a new one.
  useLayoutEffect(() => {
    if (drawn.current !== series) draw(series);
  });
  const empty = seriesLength(series) < 2;
  // The canvas is always laid out and the waiting note lies over it: a canvas shown only from
  // its second point changed every card's layout, and sized every canvas anew, in the frame a
  // fleet's second messages came (a long task of its own on the overview).
  return (
    <div className="spark" style={{ height }}>
      <canvas ref={canvas} data-testid="sparkline" data-state={empty ? "waiting" : "drawn"} style={{ width: "100%", height, display: "block" }} aria-hidden />
      {empty && <div className="spark-empty spark-waiting">waiting for data…</div>}
    </div>
  );
}
