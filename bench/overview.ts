/**
 * The overview page in Chromium under a simulated fleet of 1,000 devices sending 10,000 msgs/s in
 * total (bench/overview-publisher.ts, its own process): messages the page applies per second
 * against a bare page that only counts them with MQTT.js, same server and stream; main-thread
 * long tasks (p95), how late a value is shown after it was sent (p95), and the JS heap.
 * BENCH_OVERVIEW_SECONDS sets each phase's length (default 30; the soak is 600).
 */
import type { Page } from "@playwright/test";
import { countingPage, launchChromium, publishFleet } from "./browser-reference";
import type { BenchResult } from "./run";
import { startServerProcess } from "./server-process";

const DEVICES = 1000;
const RATE = 10_000;
const SECONDS = Number(process.env.BENCH_OVERVIEW_SECONDS ?? 30);

/** How often the heap is sampled while the stream runs. */
const HEAP_EVERY_MS = 60_000;

const publish = (url: string) => publishFleet(url, DEVICES, RATE, SECONDS);
/** QoS 0 messages the embedded broker has dropped for slow WebSocket readers so far (GET /api/metrics). */
async function brokerDrops(port: number): Promise<number> {
  const text = await (await fetch(`http://localhost:${port}/api/metrics`)).text();
  return Number(/^fleetscope_broker_qos0_dropped_total (\d+)$/m.exec(text)?.[1] ?? 0);
}
const p95 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]! : 0);

export async function benchOverview(): Promise<BenchResult[]> {
  const server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "0", FLEETSCOPE_BRIDGE: "off" });
  const { port } = server;
  const tcpUrl = await server.ready;
  const browser = await launchChromium();
  try {
    // Reference: a bare page that only counts messages with MQTT.js.
    const bare = await countingPage(browser, port, "fleet/+/+/telemetry");
    await publish(tcpUrl);
    const bareRate = (await bare.count()) / SECONDS;
    await bare.page.close();

    // The overview, observed from outside its code: long tasks, and the lag of the `sent` value.
    const page: Page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[]; lags: number[]; frames: number[] };
      w.longTasks = [];
      w.lags = [];
      w.frames = [];
      // Frame intervals too: a long task is 50 ms or more by definition, so the p95 of long tasks
      // alone says "none" or "how long the worst few were"; frames say how smooth the page was.
      // A property, not a named const: tsx names those with a helper the page does not have.
      const f = w as unknown as { lastFrame: number; onFrame: (t: number) => void };
      f.lastFrame = performance.now();
      f.onFrame = (t) => {
        w.frames.push(t - f.lastFrame);
        f.lastFrame = t;
        requestAnimationFrame(f.onFrame);
      };
      requestAnimationFrame(f.onFrame);
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: "longtask", buffered: true });
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
    // Under the stream only: loading and hydrating the page is the startup benchmark's business.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[]; lags: number[]; frames: number[] };
      w.longTasks = [];
      w.lags = [];
      w.frames = [];
    });
    const cdp = await page.context().newCDPSession(page);
    // After a full collection, so start and end compare what is kept, not when V8 last collected.
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 / 1024);
    };
    const heapBefore = await heap();
    const dropsBefore = await brokerDrops(port);
    // Heap along the way (every HEAP_EVERY_MS, no forced collection): flat or growing over a soak.
    const along: number[] = [];
    const sampler = setInterval(() => {
      void page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 / 1024).then((mib) => along.push(mib), () => undefined);
    }, HEAP_EVERY_MS);
    await publish(tcpUrl).finally(() => clearInterval(sampler));
    const stats = await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[]; lags: number[]; frames: number[]; fleetscopeStats?: { processed: number } };
      return { processed: w.fleetscopeStats?.processed ?? 0, longTasks: w.longTasks, lags: w.lags, frames: w.frames };
    });
    const heapAfter = await heap();
    const dropped = (await brokerDrops(port)) - dropsBefore;
    const appRate = stats.processed / SECONDS;
    return [
      {
        name: `overview, ${DEVICES} devices at ${RATE} msgs/s for ${SECONDS} s: long tasks p95 ${p95(stats.longTasks).toFixed(0)} ms (${stats.longTasks.length}, longest ${Math.max(0, ...stats.longTasks).toFixed(0)} ms), frame interval p95 ${p95(stats.frames).toFixed(0)} ms, shown-value lag p95 ${p95(stats.lags.filter((l) => l >= 0)).toFixed(0)} ms, heap after GC ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} MiB (per minute: ${along.map((m) => m.toFixed(0)).join(" ") || "-"}), ${dropped} QoS 0 dropped by the broker for the page (${(dropped / SECONDS).toFixed(0)}/s); messages applied`,
        value: appRate,
        unit: "msgs/s",
        reference: bareRate,
        referenceName: "bare page counting with MQTT.js",
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
