/**
 * `npm run bench -- capture-live`: a live capture (lib/captures/live-recorder.ts, as `npm run
 * capture` runs it) on loopback while a publisher sends BENCH_LIVE_RATE (default 20,000) QoS 0
 * messages a second from BENCH_LIVE_DEVICES connections (default 200, so each message is a TCP
 * segment of its own) to a Mosquitto for BENCH_LIVE_SECONDS (default 10). The reference is tcpdump's
 * own counter of the packets it captured: our reader must read every one (target ratio 1.00), and
 * every PUBLISH sent must be decoded unless tcpdump's kernel dropped it (reported beside it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DEFAULT_CAPTURE_PORTS, parseCapturePorts, withPorts } from "../lib/config/capture-ports";
import { SqliteStore } from "../lib/store/sqlite/store";
import { recordLoopback } from "../test/helpers/loopback-recorder";
import { startMosquitto } from "../test/helpers/mosquitto";
import type { BenchResult } from "./run";

const RATE = Number(process.env.BENCH_LIVE_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 10);
/** Publishing connections: 200 at 20,000 msgs/s is 100 a second each, one TCP segment a message. */
const DEVICES = Number(process.env.BENCH_LIVE_DEVICES ?? 200);
const run = promisify(execFile);

export async function benchCaptureLive(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-live-"));
  const broker = await startMosquitto();
  const store = new SqliteStore(join(dir, "store.db"));
  try {
    const port = Number(new URL(broker.tcpUrl).port);
    const { recorder, saved } = await recordLoopback(port, {
      dir,
      captures: store.captures,
      name: "bench-live",
      actor: "bench",
      rotateMs: Infinity,
      segmentBytes: Number.MAX_SAFE_INTEGER,
      // As `npm run capture -- --ports <the broker's port>` is told.
      ports: withPorts(parseCapturePorts(DEFAULT_CAPTURE_PORTS), parseCapturePorts(String(port))),
    });
    const count = RATE * SECONDS;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/paced-publisher.ts", broker.tcpUrl, String(count), String(RATE), String(DEVICES)]);
    const seconds = Number(stdout.trim());
    const result = await recorder.stop();
    if (result.problem || !result.tcpdump) throw new Error(result.problem ?? "tcpdump printed no counters");
    const publishes = saved.reduce((n, s) => n + (s.byType.PUBLISH ?? 0), 0);
    const name = `live capture, ${count} QoS 0 messages at ${Math.round(count / seconds)} msgs/s (asked ${RATE}) from ${DEVICES} connections on loopback: ${publishes} PUBLISH decoded, tcpdump's kernel dropped ${result.tcpdump.droppedByKernel}`;
    return [
      { name: `${name}: frames our reader read (target ratio 1.00: none lost)`, value: result.frames, unit: "frames", reference: result.tcpdump.captured, referenceName: "tcpdump's own count of packets captured" },
      { name: `${name}: PUBLISH decoded (target ratio 1.00)`, value: publishes, unit: "packets", reference: count, referenceName: "messages sent" },
    ];
  } finally {
    await store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
