/**
 * Start-up: from `npm start` (the server entry, with an existing build and a fresh database) to
 * the first simulated device on screen in Chromium, against the time to the first successful
 * GET /api/health from the same start (the server is up, nothing shown yet).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import type { BenchResult } from "./run";

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export async function benchStartup(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-startup-"));
  const port = await freePort();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  const page = await browser.newPage();
  const t0 = performance.now();
  const server = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    env: { ...process.env, PORT: String(port), MQTT_TCP_PORT: "0", DATABASE_URL: `file:${join(dir, "s.db")}` },
    stdio: ["ignore", "ignore", "inherit"],
  });
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
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return [{ name: "start-up to the first device on screen (existing build, fresh database)", value: onScreen, unit: "ms", reference: healthy, referenceName: "to the first healthy /api/health", lowerIsBetter: true }];
}
