/**
 * The overview page in Chromium under a simulated fleet of 1,000 devices sending 10,000 msgs/s in
 * total (bench/overview-publisher.ts, its own process): messages the page applies per second
 * against a bare page that only counts them with MQTT.js, same server and stream; main-thread
 * long tasks once the fleet has appeared (p95, what each was, bench/main-thread.ts, and how its
 * thread spent it, bench/renderer-time.ts; the first seconds, while it appears, apart) and frame
 * intervals against the bare page's on the same stream, how late a value is shown after it was
 * sent (p95), and the heap.
 * BENCH_OVERVIEW_SECONDS sets each phase's length (default 30; the issue's soak is 600).
 */
import type { Page } from "@playwright/test";
import { countingPage, launchChromium, publishFleet } from "./browser-reference";
import { describeLongTasks, listLongTasks, mainThread, observed, OBSERVE_MAIN_THREAD, p95, resetMainThread, splitObserved, traceGc, type SpentIn } from "./main-thread";
import { watchRendererTime } from "./renderer-time";
import type { SlowFlush } from "../lib/browser/live-feed";
import type { BenchResult } from "./run";
import { startServerProcess } from "./server-process";

const DEVICES = 1000;
const RATE = 10_000;
const SECONDS = Number(process.env.BENCH_OVERVIEW_SECONDS ?? 30);

/**
 * The first seconds of the stream, reported apart: the page opens on an empty grid and the whole
 * fleet appears in its first 0.1 s (1,000 cards' worth of devices, their first render, and the
 * browser's first layout of them), where an operator opens the overview on a fleet that is
 * already there, known from /api/devices. What follows is the page working under the stream.
 */
const APPEARING_MS = Number(process.env.BENCH_OVERVIEW_APPEARING_MS ?? 5000);

/** How often the heap is sampled while the stream runs. */
const HEAP_EVERY_MS = 60_000;

type FleetKind = "demo" | "sparkplug";
/** What the bare page counts: every message of the fleet's convention. */
const BARE_FILTER: Record<FleetKind, string> = { demo: "fleet/+/+/telemetry", sparkplug: "spBv1.0/#" };

/**
 * The share of a core the renderers' main threads ran over [from, to] (page clock), in percent:
 * what the page costs, which long tasks on a machine this busy show only in part (a task is long
 * when its thread ran long, or waited for a CPU). NaN where it is not measured.
 */
function busy(spentIn: SpentIn | undefined, from: number, to: number): number {
  const spent = spentIn?.(from, to);
  return spent?.sampled ? (100 * spent.ran) / spent.sampled : NaN;
}

/** How the renderers spend their time, read on `page`'s clock (not at all where Linux's /proc is missing). */
async function watchSpent(page: Page): Promise<{ spentIn?: SpentIn; stop(): void }> {
  const origin = await page.evaluate(() => performance.timeOrigin);
  const time = watchRendererTime();
  if (!time) return { stop: () => undefined };
  return { spentIn: (start, end) => time.spentIn(origin + start, origin + end), stop: () => time.stop() };
}

/** QoS 0 messages the embedded broker has dropped for slow WebSocket readers so far (GET /api/metrics). */
async function brokerDrops(port: number): Promise<number> {
  const text = await (await fetch(`http://localhost:${port}/api/metrics`)).text();
  return Number(/^fleetscope_broker_qos0_dropped_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

export const benchOverview = () => overviewBench("demo");
/** The same page and stream for a Sparkplug B fleet: protobuf decoding and alias tables in the tab. */
export const benchOverviewSparkplug = () => overviewBench("sparkplug");

async function overviewBench(kind: FleetKind): Promise<BenchResult[]> {
  const publish = (url: string) => publishFleet(url, DEVICES, RATE, SECONDS, kind);
  const server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "0", FLEETSCOPE_BRIDGE: "off" });
  const { port } = server;
  const tcpUrl = await server.ready;
  const browser = await launchChromium();
  try {
    // Reference: a bare page that only counts messages with MQTT.js.
    const bare = await countingPage(browser, port, BARE_FILTER[kind], OBSERVE_MAIN_THREAD);
    const bareGc = await traceGc(bare.page, await bare.page.context().newCDPSession(bare.page));
    await resetMainThread(bare.page);
    const bareSpent = await watchSpent(bare.page);
    await publish(tcpUrl).finally(() => bareSpent.stop());
    const bareRate = (await bare.count()) / SECONDS;
    const bareSeen = await observed(bare.page);
    const bareMain = mainThread(bareSeen, await bareGc(), bareSpent.spentIn);
    const bareBusy = busy(bareSpent.spentIn, bareSeen.since, bareSeen.since + SECONDS * 1000);
    await bare.page.close();

    // The overview, observed from outside its code: long tasks, and the lag of the `sent` value.
    const page: Page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript({ content: OBSERVE_MAIN_THREAD });
    await page.addInitScript(() => {
      const w = window as unknown as { lags: number[] };
      w.lags = [];
      new MutationObserver((mutations) => {
        const now = Date.now();
        for (const m of mutations) {
          const el = m.target.nodeType === Node.TEXT_NODE ? m.target.parentElement : (m.target as HTMLElement);
          if (el?.dataset?.testid === "value-sent") w.lags.push(now - Number(el.textContent));
        }
      }).observe(document, { subtree: true, characterData: true, childList: true });
    });
    await page.goto(`http://localhost:${port}/`);
    await page.getByTestId("connection").and(page.locator('[data-state="connected"]')).waitFor();
    const cdp = await page.context().newCDPSession(page);
    // After a full collection, so start and end compare what is kept, not when V8 last collected.
    // The JS heap and, apart, the ArrayBuffers' memory outside it (live series are held there).
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const usage = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
      return { js: usage.usedSize / 1024 / 1024, buffers: (usage.backingStorageSize ?? 0) / 1024 / 1024 };
    };
    const heapBefore = await heap();
    const dropsBefore = await brokerDrops(port);
    // Heap along the way (every HEAP_EVERY_MS, no forced collection): flat or growing over a soak.
    const along: number[] = [];
    const sampler = setInterval(() => {
      void page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 / 1024).then((mib) => along.push(mib), () => undefined);
    }, HEAP_EVERY_MS);
    const stopGc = await traceGc(page, cdp);
    // Under the stream only: loading and hydrating the page is the startup benchmark's business,
    // and the forced collection above and the trace's start are the bench's own tasks.
    await resetMainThread(page);
    await page.evaluate(() => ((window as unknown as { lags: number[] }).lags = []));
    const spent = await watchSpent(page);
    await publish(tcpUrl).finally(() => {
      clearInterval(sampler);
      spent.stop();
    });
    const seen = await observed(page);
    const gc = await stopGc();
    const [appearingSeen, steadySeen] = splitObserved(seen, APPEARING_MS);
    const appearing = mainThread(appearingSeen, gc, spent.spentIn);
    const main = mainThread(steadySeen, gc, spent.spentIn);
    const pageBusy = busy(spent.spentIn, seen.since + APPEARING_MS, seen.since + SECONDS * 1000);
    const stats = await page.evaluate(() => {
      const w = window as unknown as { lags: number[]; fleetscopeStats?: { processed: number; slowFlushes?: SlowFlush[] } };
      return { processed: w.fleetscopeStats?.processed ?? 0, lags: w.lags, slowFlushes: w.fleetscopeStats?.slowFlushes ?? [] };
    });
    const heapAfter = await heap();
    const dropped = (await brokerDrops(port)) - dropsBefore;
    const appRate = stats.processed / SECONDS;
    const mib = (h: { js: number; buffers: number }) => `${h.js.toFixed(0)}${h.buffers >= 0.5 ? ` + ${h.buffers.toFixed(0)} in ArrayBuffers` : ""}`;
    const run = `overview, ${DEVICES} ${kind === "sparkplug" ? "Sparkplug B " : ""}devices at ${RATE} msgs/s for ${SECONDS} s`;
    // What each long task was, so the next one to remove is named, not guessed.
    for (const [when, m] of [[`while the fleet appears (first ${APPEARING_MS / 1000} s)`, appearing], [`after the first ${APPEARING_MS / 1000} s`, main]] as const)
      if (m.described.length) process.stdout.write(`${run}: long tasks ${when}, longest first (s into the stream, ms: parts):\n${listLongTasks(m)}\n`);
    // The app's own account of its slow frame flushes (lib/browser/live-feed.ts), to set beside the long tasks.
    const flushes = stats.slowFlushes.filter((f) => f.at >= seen.since);
    if (flushes.length)
      process.stdout.write(
        `${run}: frame flushes of 20 ms or more (s into the stream: messages, ms applying, ms with React's render):\n${flushes.map((f) => `  ${((f.at - seen.since) / 1000).toFixed(1)} s: ${f.messages}, ${f.applyMs.toFixed(0)}, ${f.totalMs.toFixed(0)}`).join("\n")}\n`,
      );
    return [
      {
        name: `${run}: long tasks after the first ${APPEARING_MS / 1000} s ${describeLongTasks(main)} (bare page, whole run: ${describeLongTasks(bareMain)}; the overview while the fleet appears: ${describeLongTasks(appearing)}), frame interval p95 ${p95(main.frames).toFixed(0)} ms, shown-value lag p95 ${p95(stats.lags.filter((l) => l >= 0)).toFixed(0)} ms, heap after GC ${mib(heapBefore)} → ${mib(heapAfter)} MiB (JS heap per minute: ${along.map((m) => m.toFixed(0)).join(" ") || "-"}), ${dropped} QoS 0 dropped by the broker for the page (${(dropped / SECONDS).toFixed(0)}/s); messages applied`,
        value: appRate,
        unit: "msgs/s",
        reference: bareRate,
        referenceName: "bare page counting with MQTT.js",
      },
      {
        name: `${run}: main-thread long tasks p95, after the first ${APPEARING_MS / 1000} s`,
        value: p95(main.longTasks),
        unit: "ms",
        reference: p95(bareMain.longTasks),
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
      {
        name: `${run}: the renderer's main thread on a CPU, after the first ${APPEARING_MS / 1000} s`,
        value: pageBusy,
        unit: "% of a core",
        reference: bareBusy,
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
      {
        name: `${run}: frame interval p95`,
        value: p95(main.frames),
        unit: "ms",
        reference: p95(bareMain.frames),
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
