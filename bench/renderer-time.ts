/**
 * How Chromium's renderer main threads spent a stretch of time, from Linux's /proc: running, and
 * runnable but waiting for a CPU (/proc/<pid>/schedstat; a process's main thread has the process's
 * id), with the time the hypervisor took from this machine's CPUs meanwhile (steal, /proc/stat).
 * On two cores that also run the broker and the fleet's publisher, a task can be long because its
 * thread was not running: what it ran is the page's own cost.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

const EVERY_MS = 5;
/** /proc/stat counts in USER_HZ, 100 a second on Linux. */
const TICK_MS = 10;

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

/** Nanoseconds `pid`'s main thread has run and has waited to, or null once it is gone. */
function threadNs(pid: number): [number, number] | null {
  try {
    const [ran, waited] = readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ");
    return [Number(ran), Number(waited)];
  } catch {
    return null;
  }
}

/** Ticks the hypervisor has taken from all of this machine's CPUs (the 8th value of /proc/stat's first line). */
function stealTicks(): number {
  return Number(readFileSync("/proc/stat", "latin1").split("\n", 1)[0]!.trim().split(/\s+/)[8] ?? 0);
}

interface Sample {
  at: number;
  threads: Map<number, [number, number]>;
  steal: number;
}

/**
 * Milliseconds, within a stretch, between the first and last samples inside it: the sampler is a
 * process on the same busy machine, and may itself not run for a while.
 */
export interface Spent {
  /** How much of the stretch the samples span. */
  sampled: number;
  /** The renderers' main threads on a CPU. */
  ran: number;
  /** The same threads runnable, waiting for one. */
  waited: number;
  /** All of this machine's CPUs, taken by the hypervisor (in steps of 10 ms). */
  stolen: number;
}

export interface RendererTime {
  /** How the renderers spent [from, to] (epoch ms). */
  spentIn(from: number, to: number): Spent;
  stop(): void;
}

/** Samples every few milliseconds until stopped; null where there is no /proc. */
export function watchRendererTime(): RendererTime | null {
  if (!existsSync("/proc/self/schedstat")) return null;
  let pids = renderers();
  const samples: Sample[] = [];
  const sample = () => {
    const threads = new Map<number, [number, number]>();
    for (const pid of pids) {
      const t = threadNs(pid);
      if (t) threads.set(pid, t);
    }
    samples.push({ at: Date.now(), threads, steal: stealTicks() });
  };
  const timer = setInterval(sample, EVERY_MS);
  const refresh = setInterval(() => (pids = renderers()), 1000);
  sample();
  return {
    spentIn(from, to) {
      // The first sample at or after `from` and the last at or before `to`.
      let a = 0;
      while (a < samples.length && samples[a]!.at < from) a++;
      let b = a;
      while (b + 1 < samples.length && samples[b + 1]!.at <= to) b++;
      const spent: Spent = { sampled: 0, ran: 0, waited: 0, stolen: 0 };
      if (b >= samples.length) return spent;
      spent.sampled = samples[b]!.at - samples[a]!.at;
      for (const [pid, [ran, waited]] of samples[b]!.threads) {
        const start = samples[a]!.threads.get(pid);
        if (!start) continue;
        spent.ran += (ran - start[0]) / 1e6;
        spent.waited += (waited - start[1]) / 1e6;
      }
      spent.stolen = (samples[b]!.steal - samples[a]!.steal) * TICK_MS;
      return spent;
    },
    stop() {
      clearInterval(timer);
      clearInterval(refresh);
    },
  };
}
