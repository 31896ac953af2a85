/**
 * The topic tree, twice (issue 22: a million topics in one tab):
 * - the model alone: 1,000,000 distinct topics and a stream of 1,000,000 messages applied in
 *   frame-sized batches (20,000 msgs/s at 60 frames/s), in messages per second, against a bare
 *   `Map` keyed by topic doing the least any tree must (remember the last payload) on the same
 *   messages; and the heap each holds, per topic (target: ≤ 300 bytes a topic);
 * - the rendered page: `/topics` in Chromium while 1,000,000 topics stream in from another
 *   process (bench/overview-publisher.ts), with frame times (p95, target ≤ 17 ms), long tasks
 *   after the first second (target none), the JS heap after a GC (target ≤ 300 MiB) and the
 *   messages the page took in, against a bare page counting the same stream with MQTT.js.
 * BENCH_TREE_TOPICS, BENCH_TREE_RATE and BENCH_TREE_SECONDS set the sizes (default 1,000,000
 * topics, 20,000 msgs/s for 60 s); BENCH_TREE_SNAPSHOT=<file> also writes the page's heap
 * snapshot there (open it in Chromium's DevTools, Memory tab) for profiling.
 */
import { createWriteStream } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TopicTree, type TopicMessage } from "../lib/topics/tree";
import type { Page } from "@playwright/test";
import type { BenchResult } from "./run";
import { countingPage, launchChromium, publishFleet } from "./browser-reference";
import { observed, OBSERVE_MAIN_THREAD, p95, resetMainThread } from "./main-thread";
import { startServerProcess } from "./server-process";

const TOPICS = Number(process.env.BENCH_TREE_TOPICS ?? 1_000_000);
const MESSAGES = Number(process.env.BENCH_TREE_MESSAGES ?? 1_000_000);
/** 20,000 msgs/s delivered once per 60 Hz frame. */
const BATCH = Math.round(20_000 / 60);
const PAGE_RATE = Number(process.env.BENCH_TREE_RATE ?? 20_000);
const PAGE_SECONDS = Number(process.env.BENCH_TREE_SECONDS ?? 60);
const SNAPSHOT = process.env.BENCH_TREE_SNAPSHOT;
/** Issue 22's targets. */
const TARGET_BYTES_PER_TOPIC = 300;
const TARGET_FRAME_P95_MS = 17;
const TARGET_HEAP_MIB = 300;
/** Long tasks count only after this: the first second is the page starting. */
const STARTUP_MS = 1000;
const MiB = 1024 * 1024;

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
  // The typed arrays' buffers live outside the JS heap: their bytes are known, so added exactly.
  // The JS heap's growth is shown apart: on a busy machine it has read below zero.
  const jsHeap = heapMiB() - before;
  const treeHeap = jsHeap + tree.arrayBytes / MiB;
  const beforeMap = heapMiB();
  const map = new Map<string, { payload: Uint8Array; ts: number }>();
  const mapRate = timeIt(() => {
    for (const b of batches) for (const m of b) map.set(m.topic, { payload: m.payload, ts: m.ts });
  });
  // The map's payloads are the stream's own (the tree copies what it keeps): its figure is the
  // Map and its entries alone, a floor rather than a fair fight.
  const mapHeap = heapMiB() - beforeMap;
  if (tree.topics !== TOPICS || map.size !== TOPICS) throw new Error(`expected ${TOPICS} topics, tree has ${tree.topics}, map ${map.size}`);
  const perTopic = (treeHeap * MiB) / TOPICS;
  return [
    {
      name: `topic tree model, ${TOPICS} topics (${tree.nodes} nodes), ${MESSAGES} messages in batches of ${BATCH}; updates`,
      value: treeRate,
      unit: "msgs/s",
      reference: mapRate,
      referenceName: "bare Map keyed by topic, last payload only",
    },
    {
      name: `topic tree model, same run: heap ${treeHeap.toFixed(0)} MiB (typed arrays ${(tree.arrayBytes / MiB).toFixed(0)} MiB, JS heap growth ${jsHeap.toFixed(0)} MiB), target ≤ ${TARGET_BYTES_PER_TOPIC} B a topic; heap per topic`,
      value: perTopic,
      unit: "B",
      reference: (mapHeap * MiB) / TOPICS,
      referenceName: "bare Map keyed by topic, payloads not counted",
      lowerIsBetter: true,
    },
  ];
}

/**
 * Topics no convention reads by default, so the page's figures are the tree's: with the demo
 * fleet's (BENCH_TREE_FLEET=demo) every topic is also a device in the fleet store, whose cost the
 * overview bench measures.
 */
const FLEET = process.env.BENCH_TREE_FLEET === "demo" ? "demo" : "plain";
const publish = (url: string) => publishFleet(url, TOPICS, PAGE_RATE, PAGE_SECONDS, FLEET);

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
    const bareHeap = await heapAfterGc(bare.page);
    await bare.page.close();

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript({ content: OBSERVE_MAIN_THREAD });
    await page.goto(`${origin}/topics`);
    await page.getByText("#: subscribed").waitFor();
    await resetMainThread(page);
    const publishing = publish(tcpUrl);
    // Open a few levels while the stream runs, as an operator would.
    await page.locator(`[data-topic="${FLEET === "demo" ? "fleet" : "plant"}"]`).click();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    await publishing;
    const o = await observed(page);
    const longTasks = o.longTasks.filter(([start]) => start >= o.since + STARTUP_MS).map(([, d]) => d);
    const stats = { longTasks, frameTimes: o.frames, heap: await heapAfterGc(page) };
    if (SNAPSHOT) await heapSnapshot(page, SNAPSHOT);
    const line = await page.getByText(/\d+ topics · \d+ messages/).textContent();
    const [, topics, messages] = /(\d+) topics · (\d+) messages/.exec(line ?? "") ?? [];
    const perTopic = Number(topics) > 0 ? (stats.heap * MiB) / Number(topics) : NaN;
    return [
      {
        name: `/topics in Chromium, ${PAGE_RATE} msgs/s over ${TOPICS} ${FLEET === "demo" ? "demo fleet" : "plain"} topics for ${PAGE_SECONDS} s: frames p95 ${p95(stats.frameTimes).toFixed(0)} ms (${stats.frameTimes.length}, max ${Math.max(0, ...stats.frameTimes).toFixed(0)}), long tasks after the first second ${stats.longTasks.length} (target 0, p95 ${p95(stats.longTasks).toFixed(0)} ms), ${topics} topics in the tree; messages taken in`,
        value: Number(messages) / PAGE_SECONDS,
        unit: "msgs/s",
        reference: bareRate,
        referenceName: "bare page counting # with MQTT.js",
      },
      {
        name: `/topics in Chromium, same run, target ≤ ${TARGET_FRAME_P95_MS} ms: frame interval p95`,
        value: p95(stats.frameTimes),
        unit: "ms",
        reference: p95(bareFrames),
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
      {
        name: `/topics in Chromium, same run, target ≤ ${TARGET_HEAP_MIB} MiB (${perTopic.toFixed(0)} B a topic, target ≤ ${TARGET_BYTES_PER_TOPIC}): JS heap after a GC`,
        value: stats.heap,
        unit: "MiB",
        reference: bareHeap,
        referenceName: "bare page, same stream",
        lowerIsBetter: true,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * The page's JS heap in MiB once a full GC has run (what it holds, not what it has yet to free),
 * with the ArrayBuffers' backing stores, where the tree's typed arrays live.
 */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("HeapProfiler.collectGarbage");
    const usage = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
    if (usage.backingStorageSize === undefined) throw new Error("this Chromium does not report ArrayBuffer backing stores (Runtime.getHeapUsage.backingStorageSize)");
    return (usage.usedSize + usage.backingStorageSize) / MiB;
  } finally {
    await cdp.detach();
  }
}

/** A heap snapshot of the page, written in chunks as DevTools streams it. */
async function heapSnapshot(page: Page, file: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const out = createWriteStream(file);
  cdp.on("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => out.write(chunk));
  try {
    await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
    await cdp.detach();
  }
  process.stderr.write(`heap snapshot of /topics written to ${file}\n`);
}

export async function benchTopicTree(): Promise<BenchResult[]> {
  return [...benchModel(), ...(await benchPage())];
}
