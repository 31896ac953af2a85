/**
 * `npm run backup` and `npm run restore` against the real server (`npm start`'s entry, embedded
 * broker with its durable file, bridge, SQLite store) in a child process: a backup taken while a
 * device publishes QoS 1 telemetry, restored into a fresh folder, serves the same `/api/series`
 * answers from a fresh server for the range the backup covers, with the broker's retained
 * messages back; and restore refuses to run over a live server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../helpers/ports";
import { waitFor } from "../helpers/wait-for";

const root = mkdtempSync(join(tmpdir(), "fleetscope-backup-"));
const DEVICE = "bk-1";
const TELEMETRY = `fleet/lab/${DEVICE}/telemetry`;
const STATUS = `fleet/lab/${DEVICE}/status`;
/** Stored before the range is fixed, so the range has some hundreds of samples to bucket. */
const BEFORE_RANGE = 400;

const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) {
    const exited = once(c, "exit");
    c.kill("SIGKILL");
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

const envFor = (dbFile: string) => ({ ...process.env, DATABASE_URL: `file:${dbFile}`, FLEETSCOPE_AUTH: "off", FLEETSCOPE_SIM_DEVICES: "0", MQTT_TCP_PORT: "0" });

interface Server {
  ui: string;
  mqtt: string;
  stop(): Promise<void>;
}

/** The server entry on `dbFile`; resolves once its banner is out. */
async function startServer(dbFile: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    env: { ...envFor(dbFile), PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  const mqttUrl = await new Promise<string>((resolve, reject) => {
    const onOut = (d: Buffer) => {
      out += d.toString();
      const m = /MQTT TCP\s+(mqtt:\/\/\S+)/.exec(out);
      if (m && out.includes("login ")) resolve(m[1]!);
    };
    proc.stdout!.on("data", onOut);
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.once("exit", (code) => reject(new Error(`the server exited with ${code} before it was ready:\n${out}`)));
  });
  return {
    ui: `http://localhost:${port}`,
    mqtt: mqttUrl,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code, `the server's stop:\n${out}`).toBe(0);
    },
  };
}

/** `npm run <script>`'s process, as package.json runs it; resolves with its exit code and output. */
async function runCli(script: "backup" | "restore", args: string[], dbFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", `bin/${script}.ts`, ...args], { env: envFor(dbFile), stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(proc, "close")) as [number | null];
  children.delete(proc);
  return { code, stdout, stderr };
}

/** A device publishing QoS 1 telemetry without pause, a window of 10 at a time, until stopped. */
function publishUntilStopped(client: MqttClient): { acked: () => number; stop: () => Promise<void> } {
  let acked = 0;
  let stopping = false;
  const running = (async () => {
    let seq = 0;
    while (!stopping) {
      const window = Array.from({ length: 10 }, () => {
        seq++;
        return client.publishAsync(TELEMETRY, JSON.stringify({ seq, temp: 20 + (seq % 17) / 2 }), { qos: 1 }).then(() => void acked++);
      });
      await Promise.all(window);
    }
  })();
  return {
    acked: () => acked,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

const series = async (server: Server, q: URLSearchParams) => {
  const res = await fetch(`${server.ui}/api/series?${q}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { points: { count: number }[] };
};

it("restores a backup taken during QoS 1 ingest into a fresh server that serves the same series, and refuses to restore over a running one", async () => {
  mkdirSync(join(root, "a"));
  const dbA = join(root, "a", "fleet.db");
  const backupFile = join(root, "nightly.fsbackup");
  const a = await startServer(dbA);
  const device = await mqtt.connectAsync(a.mqtt, { clientId: DEVICE, reconnectPeriod: 0 });
  await device.publishAsync(STATUS, "online", { qos: 1, retain: true });
  const publishing = publishUntilStopped(device);

  // The range: from the first sample to just before the newest one stored. The bridge stores in
  // the order it receives, so every sample of the range is in the store before the backup begins.
  const reader = new Database(dbA, { readonly: true });
  const stored = () => reader.prepare<[string], { n: number; lo: number | null; hi: number | null }>("SELECT count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM messages WHERE topic = ?").get(TELEMETRY)!;
  await waitFor(`${BEFORE_RANGE} samples stored`, () => stored().n >= BEFORE_RANGE);
  const { lo, hi } = stored();
  reader.close();
  const range = new URLSearchParams({ device: DEVICE, field: "temp", from: String(lo), to: String(hi! - 1), points: "40" });
  const original = await series(a, range);
  expect(original.points.reduce((n, p) => n + p.count, 0)).toBeGreaterThanOrEqual(BEFORE_RANGE - 20);

  const ackedBefore = publishing.acked();
  const backup = await runCli("backup", [backupFile], dbA);
  const ackedDuring = publishing.acked() - ackedBefore;
  expect(backup.code, backup.stderr).toBe(0);
  expect(backup.stdout).toContain(`broker ${join(root, "a", "fleet-broker.db")}, copied by the running server`);
  expect(backup.stdout).toMatch(/store {2}.*fleet\.db: /);
  expect(backup.stdout).toContain(`wrote ${backupFile}`);
  // Ingest went on while the backup ran: the broker acknowledged messages throughout.
  expect(ackedDuring).toBeGreaterThan(0);

  // The running server's files are not restored over.
  const refused = await runCli("restore", [backupFile], dbA);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("refusing to restore over a running server");
  expect(refused.stderr).toContain(`${dbA} is open in a running process`);
  expect(await series(a, range)).toEqual(original);

  await publishing.stop();
  await device.endAsync();
  await a.stop();

  const dbB = join(root, "b", "fleet.db");
  const restored = await runCli("restore", [backupFile], dbB);
  expect(restored.code, restored.stderr).toBe(0);
  expect(restored.stdout).toContain(`store  → ${dbB}: `);
  expect(restored.stdout).toContain(`broker → ${join(root, "b", "fleet-broker.db")}: `);

  const b = await startServer(dbB);
  try {
    expect(await series(b, range)).toEqual(original);
    // The broker's file came back too: the retained status is there without the device.
    const watcher = await mqtt.connectAsync(b.mqtt, { clientId: "backup-watcher", reconnectPeriod: 0 });
    const retained = new Promise<{ payload: string; retain: boolean }>((resolve) => watcher.once("message", (_t, payload, packet) => resolve({ payload: payload.toString(), retain: packet.retain })));
    await watcher.subscribeAsync(STATUS, { qos: 1 });
    expect(await retained).toEqual({ payload: "online", retain: true });
    await watcher.endAsync();

    const again = await runCli("restore", [backupFile], dbB);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("refusing to restore over a running server");
    const notABackup = await runCli("restore", [dbB], join(root, "c", "fleet.db"));
    expect(notABackup.code).toBe(2);
    expect(notABackup.stderr).toContain(`${dbB}: it is not a Fleetscope backup`);
  } finally {
    await b.stop();
  }
}, 120_000);
