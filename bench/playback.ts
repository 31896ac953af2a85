/**
 * Playback (issue 20): the overview at `?at=` just before a stored stretch of 1,000 devices at
 * 10,000 msgs/s, played at 60× for the stretch's whole length in Chromium. Figures: messages
 * applied per second (fleetscopeStats.processed, the counter the live overview bench reads; every
 * one of the stretch must be applied) against a bare page reading the same pages of
 * GET /api/messages?order=asc and only counting them, same server and store, measured in the same
 * run; the target beside it is 60 × 10,000 msgs/s, the rate that keeps up with the clock. Then the
 * main thread's long tasks while playing (p95, and what they were, as bench/overview.ts reports
 * them) and the heap before and after.
 * BENCH_PLAYBACK_SECONDS sets the stretch's length (default 30 s, 300,000 messages).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { asDeviceId, asEpochMs } from "../lib/devices/model";
import { SqliteStore } from "../lib/store/sqlite/store";
import type { MessageRow } from "../lib/store/types";
import { launchChromium } from "./browser-reference";
import { describeLongTasks, listLongTasks, mainThread, observed, OBSERVE_MAIN_THREAD, p95, resetMainThread, traceGc } from "./main-thread";
import type { BenchResult } from "./registry";
import { startServerProcess } from "./server-process";

const DEVICES = 1000;
const RATE = 10_000;
const SPEED = 60;
const SECONDS = Number(process.env.BENCH_PLAYBACK_SECONDS ?? 30);
const TOTAL = RATE * SECONDS;
/** The stretch ends this long before the run starts: well in the past, as an incident looked at is. */
const AGO_MS = 3_600_000;
/** Playing a stretch the page cannot keep up with still ends: past this, the figure says how far it got. */
const GIVE_UP_MS = Math.max(120_000, SECONDS * 4000);
const SLICE_MS = 1000;
const PAGE = 1000;

/** The stretch, stored as the bridge stores the demo fleet's telemetry: one batch per second of it. */
async function seed(path: string, start: number): Promise<void> {
  const store = new SqliteStore(path);
  let seq = 0;
  try {
    for (let slice = 0; slice < SECONDS; slice++) {
      const messages: MessageRow[] = [];
      for (let i = 0; i < RATE * (SLICE_MS / 1000); i++) {
        const d = i % DEVICES;
        const id = asDeviceId(`arm-${String(d).padStart(4, "0")}`);
        const ts = asEpochMs(start + slice * SLICE_MS + Math.floor((i * SLICE_MS) / RATE));
        const temp = 40 + 10 * Math.sin((ts + d * 1000) / 60_000);
        const fields = { temp, current: d % 7 };
        messages.push({ ts, topic: `fleet/site-${d % 10}/${id}/telemetry`, device: id, qos: 0, retain: false, dup: false, seq: seq++, payload: Buffer.from(JSON.stringify({ seq, ...fields })), truncated: false, ident: null, fields });
      }
      await store.append({ messages, devices: [] });
    }
  } finally {
    await store.close();
  }
}

/** The reference: the same pages the player asks for, read one after another and only counted. */
async function bareRead(page: Page, from: number): Promise<number> {
  return page.evaluate(
    async ([from, total, limit]) => {
      const t0 = performance.now();
      let n = 0;
      let cursor: string | null = null;
      while (n < total!) {
        const q = new URLSearchParams({ topic: "#", order: "asc", limit: String(limit) });
        if (cursor) q.set("cursor", cursor);
        else q.set("from", String(from));
        const body = (await (await fetch(`/api/messages?${q}`)).json()) as { messages: unknown[]; next: string | null };
        n += body.messages.length;
        cursor = body.next;
        if (!cursor) break;
      }
      return (n / (performance.now() - t0)) * 1000;
    },
    [from, TOTAL, PAGE] as const,
  );
}

export async function benchPlayback(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-playback-"));
  const path = join(dir, "playback.db");
  const start = Date.now() - AGO_MS;
  await seed(path, start);
  const server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "0", FLEETSCOPE_BRIDGE: "off", DATABASE_URL: `file:${path}` });
  await server.ready;
  const browser = await launchChromium();
  try {
    const base = `http://localhost:${server.port}`;
    const bare = await browser.newPage();
    await bare.goto(`${base}/api/health`);
    const bareRate = await bareRead(bare, start);
    await bare.close();

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript({ content: OBSERVE_MAIN_THREAD });
    await page.goto(`${base}/?at=${start - 1}`);
    const play = page.getByRole("button", { name: `▶ ${SPEED}×` });
    await play.and(page.locator(":enabled")).waitFor();
    const cdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return ((await cdp.send("Runtime.getHeapUsage")) as { usedSize: number }).usedSize / 1024 / 1024;
    };
    const heapBefore = await heap();
    const stopGc = await traceGc(page, cdp);
    await resetMainThread(page);
    const processed = () => page.evaluate(() => (window as unknown as { fleetscopeStats?: { processed: number } }).fleetscopeStats?.processed ?? 0);
    const before = await processed();
    await play.click();
    const t0 = Date.now();
    // Every message of the stretch applied, or the time given up: the figure says which.
    await page
      .waitForFunction(([n]) => ((window as unknown as { fleetscopeStats?: { processed: number } }).fleetscopeStats?.processed ?? 0) >= n!, [before + TOTAL] as const, { timeout: GIVE_UP_MS, polling: 100 })
      .catch(() => undefined);
    const wallMs = Date.now() - t0;
    const applied = (await processed()) - before;
    await page.getByRole("button", { name: "❚❚ Pause" }).click();
    const main = mainThread(await observed(page), await stopGc());
    const heapAfter = await heap();
    const run = `playback at ${SPEED}× of ${DEVICES} devices at ${RATE} msgs/s for ${SECONDS} s (${TOTAL} messages) on the overview, SQLite`;
    if (main.described.length) process.stdout.write(`${run}: long tasks while playing, longest first (s in, ms: parts):\n${listLongTasks(main)}\n`);
    const rate = (applied / wallMs) * 1000;
    return [
      {
        name: `${run}: ${applied} of ${TOTAL} applied in ${(wallMs / 1000).toFixed(1)} s (keeping up takes ${(SECONDS / SPEED).toFixed(1)} s, ${SPEED * RATE} msgs/s), long tasks ${describeLongTasks(main)}, frame interval p95 ${p95(main.frames).toFixed(0)} ms, heap after GC ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} MiB; messages applied`,
        value: rate,
        unit: "msgs/s",
        reference: bareRate,
        referenceName: "bare page reading the same pages of /api/messages",
      },
      {
        name: `${run}: main-thread long tasks p95 while playing`,
        value: p95(main.longTasks),
        unit: "ms",
        reference: p95(main.frames),
        referenceName: "frame interval p95, same run",
        lowerIsBetter: true,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
