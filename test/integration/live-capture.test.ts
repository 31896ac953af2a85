/**
 * A live capture kept in segments (lib/captures/live-recorder.ts), as FLEETSCOPE_CAPTURE_INTERFACE
 * runs it inside `npm start`: tcpdump on loopback while a device publishes to the embedded broker,
 * cut every few kilobytes; the saved segments together hold every packet once, each opens on its
 * own, and a handshake cut in two is followed on each side of the cut.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CAPTURE_PORTS, parseCapturePorts } from "../../lib/config/capture-ports";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startAedes } from "../helpers/brokers";
import { recordLoopback } from "../helpers/loopback-recorder";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-live-capture-"));
afterAll(() => (process.env.KEEP_CAPTURES ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

describe("live capture in segments", () => {
  it("saves segments that together hold every packet once, while the capture goes on", async () => {
    const broker = await startAedes();
    const store = new SqliteStore(join(dir, "store.db"));
    const port = Number(new URL(broker.tcpUrl).port);
    const { recorder, saved } = await recordLoopback(port, {
      dir: join(dir, "captures"),
      captures: store.captures,
      name: "live-lo",
      actor: "capture",
      rotateMs: 60_000,
      segmentBytes: 4096,
      ports: parseCapturePorts(DEFAULT_CAPTURE_PORTS),
    });
    const device = await mqtt.connectAsync(broker.tcpUrl, { clientId: "live-dev", reconnectPeriod: 0 });
    const COUNT = 300;
    for (let i = 0; i < COUNT; i++) await device.publishAsync(`fleet/live/${i}`, JSON.stringify({ seq: i, pad: "x".repeat(40) }), { qos: 1 });
    await device.endAsync();
    const result = await recorder.stop();
    await broker.stop();

    // Nothing lost, by tcpdump's own counters: not in its kernel buffer, not between it and us.
    expect(result.problem).toBeNull();
    expect(result.tcpdump).toMatchObject({ droppedByKernel: 0 });
    expect(result.frames).toBe(result.tcpdump!.captured);
    expect(saved.length).toBeGreaterThan(2);
    const total = (type: string) => saved.reduce((n, s) => n + (s.byType[type as keyof typeof s.byType] ?? 0), 0);
    expect(total("PUBLISH")).toBe(COUNT);
    expect(total("PUBACK")).toBe(COUNT);
    expect(total("CONNECT")).toBe(1);
    for (const s of saved) {
      // Each segment after the first starts mid-stream, yet names the hop by the CONNECT before it.
      expect(s.connections.map((c) => c.hop)).toEqual(["live-dev"]);
      expect(s.problems).toEqual([]);
      expect(s.malformed).toBe(0);
    }
    // Every handshake is complete in one segment, or cut across two by a cut between its PUBLISH
    // and its PUBACK: at most one a cut, the device having one message in flight at a time.
    const complete = saved.reduce((n, s) => n + s.flows.complete, 0);
    const cutInTwo = saved.reduce((n, s) => n + s.flows.in_flight, 0);
    expect(complete + cutInTwo).toBe(COUNT);
    expect(cutInTwo).toBeLessThan(saved.length);
    expect(saved.reduce((n, s) => n + s.anomalyCount, 0)).toBe(cutInTwo);
    const listed = await store.captures.list();
    expect(listed.map((c) => c.id).sort()).toEqual(saved.map((s) => s.id).sort());
    expect(listed.every((c) => c.name.startsWith("live-lo "))).toBe(true);
    await store.close();
  });
});
