/**
 * Start-up: from `npm start` (the server entry, with an existing build and a fresh database) to
 * the first simulated device on screen in Chromium, against the time to the first successful
 * GET /api/health from the same start (the server is up, nothing shown yet).
 */
import { chromium } from "@playwright/test";
import type { BenchResult } from "./run";
import { startServerProcess } from "./server-process";

export async function benchStartup(): Promise<BenchResult[]> {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  const page = await browser.newPage();
  const t0 = performance.now();
  const server = await startServerProcess({});
  const { port } = server;
  let healthy = 0;
  let onScreen = 0;
  try {
    // Polled: the server is another process and says nothing until it is up.
    while (!(await fetch(`http://localhost:${port}/api/health`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 20));
    healthy = performance.now() - t0;
    await page.goto(`http://localhost:${port}/`);
    await page.locator('[data-testid="device-card"]').first().waitFor();
    onScreen = performance.now() - t0;
  } finally {
    await browser.close();
    await server.stop();
  }
  return [{ name: "start-up to the first device on screen (existing build, fresh database)", value: onScreen, unit: "ms", reference: healthy, referenceName: "to the first healthy /api/health", lowerIsBetter: true }];
}
