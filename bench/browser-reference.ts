/**
 * What the browser benchmarks measure against, shared: Chromium as the project runs it, a bare
 * page that only counts messages with MQTT.js, and the fleet publisher (bench/overview-publisher.ts)
 * as a process of its own.
 */
import { spawn } from "node:child_process";
import { chromium, type Browser, type Page } from "@playwright/test";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-precise-memory-info"] });
}

/** A page on the server's origin (Chromium blocks about:blank → localhost) counting messages on `filter`. */
export async function countingPage(browser: Browser, port: number, filter: string, initScript?: string): Promise<{ page: Page; count(): Promise<number> }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  if (initScript) await page.addInitScript({ content: initScript });
  await page.goto(`http://localhost:${port}/api/health`);
  await page.addScriptTag({ path: "node_modules/mqtt/dist/mqtt.min.js" });
  await page.evaluate(
    ([url, f]) =>
      new Promise<void>((resolve) => {
        const w = window as unknown as { mqtt: { connect(u: string): { on(e: string, cb: () => void): void; subscribe(t: string): void } }; count: number };
        w.count = 0;
        const c = w.mqtt.connect(url!);
        c.on("connect", () => {
          c.subscribe(f!);
          resolve();
        });
        c.on("message", () => w.count++);
        setTimeout(() => resolve(), 10_000); // and fail with a count of 0, not hang
      }),
    [`ws://localhost:${port}/mqtt`, filter],
  );
  return { page, count: () => page.evaluate(() => (window as unknown as { count: number }).count) };
}

/** Runs the fleet publisher: `devices` devices of `convention` at `rate` msgs/s in total for `seconds`; resolves with messages sent. */
export function publishFleet(url: string, devices: number, rate: number, seconds: number, convention: "demo" | "sparkplug" | "plain" = "demo"): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", "bench/overview-publisher.ts", url, String(devices), String(rate), String(seconds), convention], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.once("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`publisher exited with ${code}`))));
  });
}
