import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

// The config is evaluated in the runner and again in each worker: the first evaluation picks a
// free port and a fresh database and hands them on through the environment.
process.env.E2E_PORT ??= execFileSync(process.execPath, [
  "-e",
  "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
]).toString();
process.env.E2E_DB ??= join(mkdtempSync(join(tmpdir(), "fleetscope-e2e-")), "e2e.db");
const port = Number(process.env.E2E_PORT);

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: "node --import tsx --import ./scripts/register-hooks.mjs server.ts",
    url: `http://localhost:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      MQTT_TCP_PORT: "0",
      DATABASE_URL: `file:${process.env.E2E_DB}`,
      FLEETSCOPE_SIM_DEVICES: "12",
      // Commands in the e2e tests must end as sent: the arms neither fail them nor lose replies.
      FLEETSCOPE_SIM_FAILURES: "0",
      FLEETSCOPE_SIM_LOST_REPLIES: "0",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
