"use client";
import { useEffect, useState, type RefObject } from "react";

/** The element's width and which of its pixels (from its top) the window shows, kept current. */
export function useGridViewport(ref: RefObject<HTMLElement | null>) {
  const [view, setView] = useState({ width: 1200, from: 0, to: 2000 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const rect = el.getBoundingClientRect();
      const next = { width: Math.round(rect.width), from: Math.max(0, -rect.top), to: Math.max(0, -rect.top) + window.innerHeight };
      setView((v) => (v.width === next.width && Math.abs(v.from - next.from) < 20 && Math.abs(v.to - next.to) < 20 ? v : next));
    };
    // At most one measurement per frame, however fast the scroll events come.
    const schedule = () => (frame ||= requestAnimationFrame(measure));
    measure();
    const resize = new ResizeObserver(schedule);
    resize.observe(el);
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
    };
  }, [ref]);
  return view;
}
