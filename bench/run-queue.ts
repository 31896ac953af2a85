/**
 * How long Chromium's renderer main threads waited for a CPU while runnable, from Linux's
 * /proc/<pid>/schedstat (a process's main thread has the process's id). On a machine of two
 * cores running the broker, the fleet's publisher and the browser, a task can be long because
 * the thread was not running at all: this says how much of each long task that was.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

const EVERY_MS = 5;

/** Renderer processes now: their command lines say `--type=renderer`. */
function renderers(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "latin1").includes("--type=renderer")) pids.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** Nanoseconds `pid`'s main thread has spent runnable but waiting, or 0 once it is gone. */
function waitedNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ")[1]);
  } catch {
    return 0;
  }
}

export interface RunQueue {
  /** Milliseconds the renderers waited for a CPU in [from, to] (epoch ms): at least that, as only samples inside it count. */
  waitedIn(from: number, to: number): number;
  stop(): void;
}

/** Samples every renderer's wait every few milliseconds until stopped; null where there is no /proc. */
export function watchRunQueue(): RunQueue | null {
  if (!existsSync("/proc/self/schedstat")) return null;
  let pids = renderers();
  const samples: { at: number; waited: Map<number, number> }[] = [];
  const sample = () => samples.push({ at: Date.now(), waited: new Map(pids.map((p) => [p, waitedNs(p)])) });
  const timer = setInterval(sample, EVERY_MS);
  const refresh = setInterval(() => (pids = renderers()), 1000);
  sample();
  return {
    waitedIn(from, to) {
      // The first sample at or after `from` and the last at or before `to`.
      let a = 0;
      while (a < samples.length && samples[a]!.at < from) a++;
      let b = a;
      while (b + 1 < samples.length && samples[b + 1]!.at <= to) b++;
      if (b >= samples.length) return 0;
      let ns = 0;
      for (const [pid, end] of samples[b]!.waited) {
        const start = samples[a]!.waited.get(pid);
        if (start !== undefined && end >= start) ns += end - start;
      }
      return ns / 1e6;
    },
    stop() {
      clearInterval(timer);
      clearInterval(refresh);
    },
  };
}
