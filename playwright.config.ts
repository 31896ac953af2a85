import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { defineConfig } from "@playwright/test";

// The config is evaluated in the runner and again in each worker: the first evaluation picks
// free ports and a fresh database and hands them on through the environment.
// Below Linux's ephemeral range (32768 and up): a port picked here is free now, and no listener
// on port 0 (a server's MQTT listener, say) can be handed it before its server binds it. One
// picked from the ephemeral range was, once: the first server's MQTT port took the second's.
const freePort = () =>
  execFileSync(process.execPath, [
    "-e",
    `const net=require('net');(function t(){const p=20000+Math.floor(Math.random()*12000);const s=net.createServer().once('error',t).listen(p,()=>{process.stdout.write(String(p));s.close()})})()`,
  ]).toString();
process.env.E2E_PORT ??= freePort();
// Two picks at random can meet.
while (!process.env.E2E_LAB_PORT || process.env.E2E_LAB_PORT === process.env.E2E_PORT) process.env.E2E_LAB_PORT = freePort();
process.env.E2E_DB ??= join(mkdtempSync(join(tmpdir(), "fleetscope-e2e-")), "e2e.db");
/** Each server's stdout and stderr, beside the database; the report names them (e2e/server-log-reporter.ts). */
const serverLog = (name: string) => join(dirname(process.env.E2E_DB!), `${name}-server.log`);
process.env.E2E_SERVER_LOGS ??= [serverLog("e2e"), serverLog("lab")].join(",");
/** The server entry, its output shown and copied into `log` (Playwright stops the whole process group). */
const serverCommand = (log: string) => `node --import tsx --import ./scripts/register-hooks.mjs server.ts 2>&1 | tee -a '${log}'`;
const port = Number(process.env.E2E_PORT);
/** A second server with FLEETSCOPE_AUTH=off (the trusted lab), for auth-off.spec.ts only. */
export const LAB_URL = `http://localhost:${process.env.E2E_LAB_PORT}`;
/** The admin's logged-in state, written by e2e/auth.setup.ts and used by every other test. */
export const ADMIN_STATE = join(dirname(process.env.E2E_DB), "admin-state.json");
/** Accounts the setup project makes; auth.spec.ts and security.spec.ts log in with them. */
export const E2E_USERS = {
  admin: { username: "admin", password: "e2e-admin-password" },
  viewer: { username: "e2e-viewer", password: "e2e-viewer-password" },
  operator: { username: "e2e-operator", password: "e2e-operator-password" },
} as const;
/** The device security.spec.ts publishes hostile input as, with its own credentials. */
export const E2E_DEVICE = { id: "evil-01", password: "e2e-device-password" } as const;
/** Devices of other conventions real-fleets.spec.ts plays, each confined by its convention's access rules. */
export const E2E_CONVENTION_DEVICES = {
  tasmota: "tasmota_E2E001",
  homie: "thermo-e2e",
  zigbee2mqtt: "zigbee2mqtt",
  sparkplug: "e2e/edge-1",
  password: "e2e-convention-password",
} as const;

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: [["list"], ["./e2e/server-log-reporter.ts"]],
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "chromium", dependencies: ["setup"], use: { storageState: ADMIN_STATE } },
  ],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: [
    {
      command: serverCommand(serverLog("e2e")),
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
        FLEETSCOPE_ADMIN_PASSWORD: E2E_USERS.admin.password,
        FLEETSCOPE_DEVICE_CREDENTIALS: [
          `${E2E_DEVICE.id}:${E2E_DEVICE.password}`,
          `tasmota=${E2E_CONVENTION_DEVICES.tasmota}:${E2E_CONVENTION_DEVICES.password}`,
          `homie=${E2E_CONVENTION_DEVICES.homie}:${E2E_CONVENTION_DEVICES.password}`,
          `z2m=${E2E_CONVENTION_DEVICES.zigbee2mqtt}:${E2E_CONVENTION_DEVICES.password}`,
          `sparkplug=${E2E_CONVENTION_DEVICES.sparkplug}:${E2E_CONVENTION_DEVICES.password}`,
        ].join(","),
        // A user's own rule, for real-fleets.spec.ts: a plant layout no built-in convention reads.
        FLEETSCOPE_CONVENTIONS: JSON.stringify({
          rules: [
            {
              name: "plant",
              pattern: "plant/{site}/line/{line}/{device}/#",
              group: "{site}",
              name_from: "{device}",
              fields: [{ topic: "telemetry", path: "$.motor.temp", name: "temp", unit: "°C" }],
              status: { topic: "status", online: ["up"], offline: ["down"] },
            },
          ],
        }),
        // The tests' own MQTT clients play devices of every kind (any topic, any device id); the
        // access rules themselves are proven in test/integration/broker-access.test.ts and security.spec.ts.
        FLEETSCOPE_ANONYMOUS_DEVICES: "on",
        // Small, so captures.spec.ts can see a file past it refused without uploading 512 MB.
        FLEETSCOPE_CAPTURE_MAX_MB: "2",
        // As behind a reverse proxy on the same host: security.spec.ts sends X-Forwarded-For as one would.
        FLEETSCOPE_TRUSTED_PROXIES: "127.0.0.1,::1",
        // Commands in the e2e tests must end as sent: the arms neither fail them nor lose replies.
        FLEETSCOPE_SIM_FAILURES: "0",
        FLEETSCOPE_SIM_LOST_REPLIES: "0",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
    {
      command: serverCommand(serverLog("lab")),
      url: `${LAB_URL}/api/health`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORT: process.env.E2E_LAB_PORT,
        MQTT_TCP_PORT: "0",
        DATABASE_URL: `file:${join(dirname(process.env.E2E_DB), "lab.db")}`,
        // Beside the other server's store: a bridge id of its own gives it a spool of its own.
        FLEETSCOPE_BRIDGE_ID: "fleetscope-lab-bridge",
        FLEETSCOPE_AUTH: "off",
        FLEETSCOPE_SIM_DEVICES: "1",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  ],
});
