/**
 * The topic tree, twice:
 * - the model alone: 100,000 distinct topics and a stream of 1,000,000 messages applied in
 *   frame-sized batches (20,000 msgs/s at 60 frames/s), in messages per second, against a bare
 *   `Map` keyed by topic doing the least any tree must (remember the last payload) on the same
 *   messages; and the heap the 100,000-topic tree holds;
 * - the rendered page: `/topics` in Chromium while 100,000 topics stream in from another process
 *   (bench/overview-publisher.ts), with frame times (p95), long tasks and the messages the page
 *   took in, against a bare page counting the same stream with MQTT.js.
 * BENCH_TREE_RATE and BENCH_TREE_SECONDS set the page phase (default 10,000 msgs/s for 30 s).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TopicTree, type TopicMessage } from "../lib/topics/tree";
import type { BenchResult } from "./run";
import { countingPage, launchChromium, publishFleet } from "./browser-reference";
import { observed, OBSERVE_MAIN_THREAD, p95, resetMainThread } from "./main-thread";
import { startServerProcess } from "./server-process";

const TOPICS = Number(process.env.BENCH_TREE_TOPICS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_TREE_MESSAGES ?? 1_000_000);
/** 20,000 msgs/s delivered once per 60 Hz frame. */
const BATCH = Math.round(20_000 / 60);
const PAGE_RATE = Number(process.env.BENCH_TREE_RATE ?? 10_000);
const PAGE_SECONDS = Number(process.env.BENCH_TREE_SECONDS ?? 30);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

function stream(): TopicMessage[][] {
  const enc = new TextEncoder();
  const topics = Array.from({ length: TOPICS }, (_, i) => `plant/site-${i % 10}/line-${Math.floor(i / 10) % 100}/dev-${Math.floor(i / 1000)}/temp`);
  const batches: TopicMessage[][] = [];
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const batch: TopicMessage[] = [];
    for (let j = i; j < Math.min(i + BATCH, MESSAGES); j++) {
      batch.push({ topic: topics[(j * 7919) % TOPICS]!, payload: enc.encode(`{"v":${(j % 1000) / 10},"seq":${j}}`), qos: 0, retain: false, ts: 1_700_000_000_000 + Math.floor(j / 20) });
    }
    batches.push(batch);
  }
  return batches;
}

function timeIt(run: () => void): number {
  const start = performance.now();
  run();
  return (MESSAGES / (performance.now() - start)) * 1000;
}

function benchModel(): BenchResult[] {
  const batches = stream();
  // Warm both paths up on a first pass, then measure a fresh structure each.
  const warm = new TopicTree();
  for (const b of batches.slice(0, 200)) warm.apply(b);
  const before = heapMiB();
  const tree = new TopicTree();
  const treeRate = timeIt(() => {
    for (const b of batches) tree.apply(b);
  });
  const treeHeap = heapMiB() - before;
  const map = new Map<string, { payload: Uint8Array; ts: number }>();
  const mapRate = timeIt(() => {
    for (const b of batches) for (const m of b) map.set(m.topic, { payload: m.payload, ts: m.ts });
  });
  if (tree.topics !== TOPICS || map.size !== TOPICS) throw new Error(`expected ${TOPICS} topics, tree has ${tree.topics}, map ${map.size}`);
  return [
    {
      name: `topic tree model, ${TOPICS} topics, ${MESSAGES} messages in batches of ${BATCH} (heap ${treeHeap.toFixed(0)} MiB for the tree); updates`,
      value: treeRate,
      unit: "msgs/s",
      reference: mapRate,
      referenceName: "bare Map keyed by topic, last payload only",
    },
  ];
}

const publish = (url: string) => publishFleet(url, TOPICS, PAGE_RATE, PAGE_SECONDS);

async function benchPage(): Promise<BenchResult[]> {
  const server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "0", FLEETSCOPE_BRIDGE: "off" });
  const tcpUrl = await server.ready;
  const origin = `http://localhost:${server.port}`;
  const browser = await launchChromium();
  try {
    const bare = await countingPage(browser, server.port, "#", OBSERVE_MAIN_THREAD);
    await publish(tcpUrl);
    const bareRate = (await bare.count()) / PAGE_SECONDS;
    const bareFrames = (await observed(bare.page)).frames;
    await bare.page.close();

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript({ content: OBSERVE_MAIN_THREAD });
    await page.goto(`${origin}/topics`);
    await page.getByText("#: subscribed").waitFor();
    await resetMainThread(page);
    const publishing = publish(tcpUrl);
    // Open a few levels while the stream runs, as an operator would.
    await page.locator('[data-topic="fleet"]').click();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    await publishing;
    const o = await observed(page);
    const [longTasks, frameTimes] = [o.longTasks.map(([, d]) => d), o.frames];
    const heap = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 / 1024);
    const stats = { longTasks, frameTimes, heap };
    const line = await page.getByText(/\d+ topics · \d+ messages/).textContent();
    const [, topics, messages] = /(\d+) topics · (\d+) messages/.exec(line ?? "") ?? [];
    return [
      {
        name: `/topics in Chromium, ${PAGE_RATE} msgs/s over ${TOPICS} topics for ${PAGE_SECONDS} s: frames p95 ${p95(stats.frameTimes).toFixed(0)} ms (${stats.frameTimes.length}, max ${Math.max(0, ...stats.frameTimes).toFixed(0)}), long tasks p95 ${p95(stats.longTasks).toFixed(0)} ms (${stats.longTasks.length}), ${topics} topics in the tree, heap ${stats.heap.toFixed(0)} MiB; messages taken in`,
        value: Number(messages) / PAGE_SECONDS,
        unit: "msgs/s",
        reference: bareRate,
        referenceName: "bare page counting # with MQTT.js",
      },
      {
        name: `/topics in Chromium, same run: frame interval p95`,
        value: p95(stats.frameTimes),
        unit: "ms",
        reference: p95(bareFrames),
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}

export async function benchTopicTree(): Promise<BenchResult[]> {
  return [...benchModel(), ...(await benchPage())];
}
