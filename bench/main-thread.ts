/**
 * What the browser benchmarks measure on a page's main thread, from outside the app's code:
 * frame intervals, long tasks (over 50 ms, by definition), and what each long task was.
 * A long task is told apart by what overlapped it: garbage collection (V8's own trace events,
 * recorded through CDP for the measured stretch: a handful of events a second), and the script
 * and rendering that the Long Animation Frames API attributes (the app's frame flush, MQTT.js
 * handling WebSocket messages, timers, style/layout/paint). Neither explains the rest
 * (the browser's own work, or the OS not running the thread on a busy machine): "other". Apart,
 * how long the thread ran, waited for a CPU, and lost to the hypervisor (bench/renderer-time.ts).
 */
import type { CDPSession, Page } from "@playwright/test";
import type { Spent } from "./renderer-time";

/**
 * The page's observers. A string, not a function: tsx names functions with a helper the page
 * lacks. Long tasks, frames and long animation frames go into `window.mainThread`.
 */
export const OBSERVE_MAIN_THREAD = `window.mainThread = { longTasks: [], frames: [], loafs: [] };
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.mainThread.longTasks.push([e.startTime, e.duration]))).observe({ type: "longtask", buffered: true });
  if (PerformanceObserver.supportedEntryTypes.includes("long-animation-frame"))
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.mainThread.loafs.push({
      start: e.startTime, end: e.startTime + e.duration, styleAndLayoutStart: e.styleAndLayoutStart,
      scripts: e.scripts.map((s) => ({ start: s.startTime, end: s.startTime + s.duration, invoker: s.invoker, type: s.invokerType,
        source: [s.sourceFunctionName, (s.sourceURL || "").split("/").pop(), s.sourceCharPosition].filter((x) => x !== "" && x !== -1).join(" @ "),
        layout: s.forcedStyleAndLayoutDuration })),
    }))).observe({ type: "long-animation-frame", buffered: true });
  let lastFrame = performance.now();
  requestAnimationFrame(function tick(t) { window.mainThread.frames.push(t - lastFrame); lastFrame = t; requestAnimationFrame(tick); });`;

interface Loaf {
  start: number;
  end: number;
  styleAndLayoutStart: number;
  scripts: { start: number; end: number; invoker: string; type: string; source: string; layout: number }[];
}
export interface Observed {
  /** When the measured stretch began, in the page's clock. */
  since: number;
  longTasks: [number, number][];
  frames: number[];
  loafs: Loaf[];
}
type Span = [number, number];
/** A collection's pause on the main thread, named as V8 traces it (MajorGC, MinorGC, V8.GCIncrementalMarking). */
export interface Gc {
  at: Span;
  name: string;
}

export const p95 = (xs: readonly number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]! : 0);

/** Forgets what was observed so far (page load and hydration are the startup benchmark's business). */
export function resetMainThread(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { mainThread: Observed & { since: number } };
    w.mainThread.longTasks = [];
    w.mainThread.frames = [];
    w.mainThread.loafs = [];
    w.mainThread.since = performance.now();
  });
}

/**
 * The trace events that are a pause of the main thread for GC, none inside another: whole
 * collections, and the incremental marking steps V8 takes inside scripts as they allocate
 * (named V8.GC_MC_INCREMENTAL by Chromium 156; V8.GCIncrementalMarking before).
 */
const GC_PAUSES = ["MajorGC", "MinorGC", "V8.GCIncrementalMarking", "V8.GC_MC_INCREMENTAL"];

/**
 * GC on the page's main thread from now until the returned function is called, in the page's
 * clock. Starting and ending a trace are long tasks of their own: observe between the two.
 */
export async function traceGc(page: Page, cdp: CDPSession): Promise<() => Promise<Gc[]>> {
  await cdp.send("Tracing.start", {
    transferMode: "ReturnAsStream",
    traceConfig: { includedCategories: ["v8.gc", "disabled-by-default-v8.gc", "blink.user_timing"], excludedCategories: ["*"] },
  });
  // A mark ties the trace's clock to the page's: its trace timestamp against its startTime.
  const markAt = await page.evaluate(() => performance.mark("bench-clock").startTime);
  return async () => {
    const done = new Promise<string>((resolve) => cdp.once("Tracing.tracingComplete", (e) => resolve(e.stream!)));
    await cdp.send("Tracing.end");
    const handle = await done;
    let text = "";
    for (;;) {
      const chunk = await cdp.send("IO.read", { handle, size: 1 << 20 });
      text += chunk.base64Encoded ? Buffer.from(chunk.data, "base64").toString() : chunk.data;
      if (chunk.eof) break;
    }
    await cdp.send("IO.close", { handle });
    type Ev = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number };
    const events = (JSON.parse(text) as { traceEvents: Ev[] }).traceEvents;
    const mark = events.find((e) => e.name === "bench-clock");
    if (!mark) return [];
    const toPage = (ts: number) => ts / 1000 - (mark.ts / 1000 - markAt);
    // The pauses on the page's main thread: whole collections and incremental marking steps.
    return events
      .filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === "X" && GC_PAUSES.includes(e.name))
      .map((e): Gc => ({ at: [toPage(e.ts), toPage(e.ts + (e.dur ?? 0))], name: e.name }));
  };
}

const overlap = (a: Span, b: Span) => Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));

/** A script's part of a frame, named for what it was in this app. */
function scriptKind(s: { invoker: string; type: string }): string {
  // On the overview, the store flush and the React render it starts; on the bare page, only the bench's own frame counter.
  if (s.invoker === "FrameRequestCallback") return "animation frame";
  if (/^WebSocket\./.test(s.invoker)) return "WebSocket messages";
  if (/^TimerHandler/.test(s.invoker)) return "timers";
  return s.type || "script";
}

/** A long task as what took it: its kind (whatever took most of it) and a line naming each part. */
export interface LongTask {
  start: number;
  duration: number;
  kind: string;
  /** "GC 31 ms (MajorGC 28), animation frame 40 ms (FrameRequestCallback: flush @ page-1a2b.js @ 5120, 2 ms forced layout), rendering 6 ms". */
  parts: string;
  /** How its thread spent it (bench/renderer-time.ts), where known. */
  spent: Spent | null;
}

/** How the page's renderer spent the time between two of its performance.now() times. */
export type SpentIn = (start: number, end: number) => Spent;

/** A long task is one over this (the Long Tasks API's threshold). */
const LONG_TASK_MS = 50;

/** What each long task was: GC, a kind of script (with its source, from the Long Animation Frames API), rendering, or other. */
function longTaskKinds(tasks: readonly [number, number][], gc: readonly Gc[], loafs: readonly Loaf[], spentIn?: SpentIn): LongTask[] {
  return tasks.map(([start, duration]) => {
    const task: Span = [start, start + duration];
    const parts = new Map<string, { ms: number; what: Map<string, number> }>();
    const add = (k: string, ms: number, what?: string) => {
      if (ms <= 0) return;
      const part = parts.get(k) ?? { ms: 0, what: new Map<string, number>() };
      part.ms += ms;
      if (what) part.what.set(what, (part.what.get(what) ?? 0) + ms);
      parts.set(k, part);
    };
    const gcIn = (span: Span) => gc.reduce((sum, g) => sum + overlap(span, g.at), 0);
    for (const g of gc) add("GC", overlap(task, g.at), g.name);
    for (const f of loafs) {
      if (overlap(task, [f.start, f.end]) === 0) continue;
      for (const s of f.scripts) {
        // A collection during a script is the collection's share, not the script's.
        const inTask: Span = [Math.max(start, s.start), Math.min(task[1], s.end)];
        const layout = s.layout >= 1 ? `, ${s.layout.toFixed(0)} ms forced layout` : "";
        if (inTask[1] > inTask[0]) add(scriptKind(s), inTask[1] - inTask[0] - gcIn(inTask), `${s.invoker}${s.source ? `: ${s.source}` : ""}${layout}`);
      }
      // From style and layout on (renderStart would take in the frame's animation callbacks, scripts above).
      if (f.styleAndLayoutStart > 0) add("rendering", overlap(task, [f.styleAndLayoutStart, f.end]));
    }
    add("other", duration - [...parts.values()].reduce((a, b) => a + b.ms, 0));
    const sorted = [...parts].sort((a, b) => b[1].ms - a[1].ms);
    const said = sorted.map(([k, p]) => {
      const what = [...p.what].sort((a, b) => b[1] - a[1]).map(([w, ms]) => `${w} ${ms.toFixed(0)}`);
      return `${k} ${p.ms.toFixed(0)} ms${what.length ? ` (${what.join("; ")})` : ""}`;
    });
    const spent = spentIn ? spentIn(start, start + duration) : null;
    const how = !spent
      ? ""
      : spent.sampled === 0
        ? "; its thread not sampled meanwhile"
        : `; in the ${spent.sampled.toFixed(0)} ms of it sampled, its thread ran ${spent.ran.toFixed(0)} ms and waited ${spent.waited.toFixed(0)} ms for a CPU${spent.stolen ? ` (the hypervisor took ${spent.stolen} ms of the machine's CPUs)` : ""}`;
    return { start, duration, kind: sorted[0]?.[0] ?? "other", parts: said.join(", ") + how, spent };
  });
}

export interface MainThread {
  longTasks: number[];
  frames: number[];
  kinds: Map<string, number>;
  /** Each long task, named part by part. */
  described: LongTask[];
  /** Of those, the ones whose thread ran, or may have run in what was not sampled, a long task's worth (null: not measured). */
  ranLong: number | null;
  since: number;
}

/** What the page observed so far; read before stopping a GC trace, whose end is a task of its own. */
export async function observed(page: Page): Promise<Observed> {
  const o = await page.evaluate(() => (window as unknown as { mainThread: Omit<Observed, "since"> & { since?: number } }).mainThread);
  // Entries reach the observers after their task: one that began before the reset is not ours.
  const since = o.since ?? 0;
  return { since, longTasks: o.longTasks.filter(([start]) => start >= since), frames: o.frames, loafs: o.loafs.filter((f) => f.start >= since) };
}

/**
 * The observations split at `ms` after the measured stretch began: long tasks (and the frames'
 * attributions) that started before, and those after. Frame intervals go with both halves, and
 * both keep the stretch's start, so their times read on one clock.
 */
export function splitObserved(o: Observed, ms: number): [Observed, Observed] {
  const at = o.since + ms;
  const part = (keep: (start: number) => boolean): Observed => ({
    since: o.since,
    longTasks: o.longTasks.filter(([start]) => keep(start)),
    frames: o.frames,
    loafs: o.loafs.filter((f) => keep(f.start)),
  });
  return [part((start) => start < at), part((start) => start >= at)];
}

export function mainThread(o: Observed, gc: Gc[], spentIn?: SpentIn): MainThread {
  const described = longTaskKinds(o.longTasks, gc, o.loafs, spentIn);
  const ranLong = spentIn ? described.filter((t) => t.spent!.ran + (t.duration - t.spent!.sampled) > LONG_TASK_MS).length : null;
  const kinds = new Map<string, number>();
  for (const t of described) kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
  return { since: o.since, longTasks: o.longTasks.map(([, d]) => d), frames: o.frames, kinds, described, ranLong };
}

/** One line per long task, longest first (at most `max`), in seconds from the start of the measured stretch. */
export function listLongTasks(m: MainThread, max = 10): string {
  return [...m.described]
    .sort((a, b) => b.duration - a.duration)
    .slice(0, max)
    .map((t) => `  ${((t.start - m.since) / 1000).toFixed(1)} s, ${t.duration.toFixed(0)} ms: ${t.parts}`)
    .join("\n");
}

/** "p95 62 ms (2, longest 62 ms: GC 1, animation frame 1; 0 ran, or may have run where not sampled, over 50 ms on the CPU)". */
export function describeLongTasks(m: MainThread): string {
  const kinds = [...m.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
  const ran = m.ranLong === null ? "" : `; ${m.ranLong} ran, or may have run where not sampled, over ${LONG_TASK_MS} ms on the CPU`;
  return `p95 ${p95(m.longTasks).toFixed(0)} ms (${m.longTasks.length}${m.longTasks.length ? `, longest ${Math.max(...m.longTasks).toFixed(0)} ms: ${kinds}${ran}` : ""})`;
}
