/**
 * `npm run replay` end to end (issue 20): a stored window on a real SQLite store, replayed by the
 * CLI into a Mosquitto this test starts, where a subscriber receives the same messages as the
 * window holds: the same count, the same order per topic, the same payload bytes and QoS, and
 * the same retained message left on each retained topic. And the CLI refuses Fleetscope's own broker.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../../lib/devices/model";
import { SqliteStore } from "../../lib/store/sqlite/store";
import type { MessageRow } from "../../lib/store/types";
import type { QoS } from "../../lib/mqtt/packet";
import { startMosquitto, type Mosquitto } from "../helpers/mosquitto";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-replay-"));
const DATABASE_URL = `file:${join(dir, "store.db")}`;
const T0 = Date.UTC(2026, 11, 4, 3, 12, 0);
let broker: Mosquitto;

const row = (ts: number, topic: string, payload: Buffer, qos: QoS, retain: boolean): MessageRow => ({
  ts: asEpochMs(ts), topic, device: asDeviceId("arm-01"), qos, retain, dup: false, seq: null, payload, truncated: false, ident: null, fields: null,
});
/** The window: three topics interleaved, every QoS, retained status, binary and empty payloads. */
const WINDOW: MessageRow[] = [];
for (let i = 0; i < 400; i++) {
  const ts = T0 + i * 5;
  if (i % 4 === 0) WINDOW.push(row(ts, "fleet/lab/arm-01/status", Buffer.from(i % 8 ? "online" : "offline"), 1, true));
  else if (i % 4 === 1) WINDOW.push(row(ts, "fleet/lab/arm-01/cmd/stop", Buffer.from(JSON.stringify({ id: `c${i}` })), 2, false));
  else WINDOW.push(row(ts, "fleet/lab/arm-01/telemetry", i % 10 === 2 ? Buffer.alloc(0) : Buffer.from([i & 0xff, 0xff, 0x00, 0xfe]), 0, false));
}
const OUTSIDE = [row(T0 - 1000, "fleet/lab/arm-01/telemetry", Buffer.from("before"), 0, false), row(T0 + 10_000, "fleet/lab/arm-01/telemetry", Buffer.from("after"), 0, false), row(T0 + 100, "other/topic", Buffer.from("filtered out"), 0, false)];

function runReplay(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "bin/replay.ts", ...args], {
    env: { ...process.env, MQTT_URL: "", DATABASE_URL, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  const store = new SqliteStore(join(dir, "store.db"));
  await store.append({ messages: [...OUTSIDE, ...WINDOW], devices: [] });
  await store.close();
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run replay", () => {
  it("republishes the window into another broker: same count, order per topic, payload bytes, QoS and retained state", async () => {
    const sub = await mqtt.connectAsync(broker.tcpUrl, { clientId: "replay-subscriber", clean: true });
    const got: { topic: string; payload: Buffer; qos: QoS }[] = [];
    let allIn: () => void = () => undefined;
    const all = new Promise<void>((r) => (allIn = r));
    sub.on("message", (topic, payload, packet) => {
      got.push({ topic, payload: Buffer.from(payload), qos: packet.qos });
      if (got.length === WINDOW.length) allIn();
    });
    await sub.subscribeAsync("fleet/#", { qos: 2 });

    const run = await runReplay(["--from", new Date(T0).toISOString(), "--to", String(T0 + 9_999), "--filter", "fleet/#", "--url", broker.tcpUrl, "--speed", "20"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/400 published in [\d.]+ s \(QoS 0: 200, QoS 1: 100, QoS 2: 100; 100 retained; 0 truncated\)/);
    await all;
    await sub.endAsync();

    expect(got).toHaveLength(WINDOW.length);
    const perTopic = (ms: readonly { topic: string; payload: Uint8Array; qos: number }[]) => {
      const by = new Map<string, string[]>();
      for (const m of ms) by.set(m.topic, [...(by.get(m.topic) ?? []), `${m.qos}:${Buffer.from(m.payload).toString("hex")}`]);
      return by;
    };
    expect(perTopic(got)).toEqual(perTopic(WINDOW));

    // The broker keeps the window's last retained status, as it would have after the original.
    const late = await mqtt.connectAsync(broker.tcpUrl, { clientId: "replay-late", clean: true });
    const retained = new Promise<Buffer>((r) => late.once("message", (_t, p) => r(Buffer.from(p))));
    await late.subscribeAsync("fleet/lab/arm-01/status", { qos: 1 });
    expect((await retained).toString()).toBe(Buffer.from(WINDOW.filter((m) => m.retain).at(-1)!.payload).toString());
    // Leave no retained message behind on this broker.
    await late.publishAsync("fleet/lab/arm-01/status", "", { qos: 1, retain: true });
    await late.endAsync();
  });

  it("refuses the broker Fleetscope itself uses unless --same-broker is given, and a bad window with a usage error", async () => {
    const port = new URL(broker.tcpUrl).port;
    const own = await runReplay(["--from", String(T0), "--to", String(T0 + 1), "--url", `mqtt://localhost:${port}`], { MQTT_TCP_PORT: port });
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/refusing mqtt:\/\/localhost:\d+: it is the embedded broker's port \d+ on this machine.*--same-broker/);
    const configured = await runReplay(["--from", String(T0), "--to", String(T0 + 1), "--url", broker.tcpUrl], { MQTT_URL: broker.tcpUrl });
    expect(configured.code).toBe(2);
    expect(configured.stderr).toMatch(/it is MQTT_URL/);
    const backwards = await runReplay(["--from", String(T0 + 1), "--to", String(T0), "--url", "mqtt://staging:1883"]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/--from: must not be after --to/);
    // With --same-broker it goes ahead (an empty window: nothing is published).
    const allowed = await runReplay(["--from", String(T0 - 5000), "--to", String(T0 - 4000), "--url", `mqtt://localhost:${port}`, "--same-broker"], { MQTT_TCP_PORT: port });
    expect(allowed.stderr).toBe("");
    expect(allowed.stdout).toMatch(/0 published/);
  });
});
