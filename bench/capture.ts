/**
 * `npm run bench -- capture`: importing a large capture of mixed MQTT traffic against Debian's
 * tshark reading the same file with an MQTT display filter, both counting MQTT packets, and the
 * import's peak RSS. The file is made here: a real tcpdump capture of QoS 0/1/2 traffic through a
 * Mosquitto, its records repeated with each repeat's client port shifted (so each is a connection
 * of its own) until the file is BENCH_CAPTURE_MB (default 256; the figure is 1024).
 * Targets: rate ≥ 2× tshark's; peak RSS < 300 MB.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { startLiveCapture } from "../lib/captures/tcpdump";
import { startMosquitto } from "../test/helpers/mosquitto";
import type { BenchResult } from "./run";

const TARGET_MB = Number(process.env.BENCH_CAPTURE_MB ?? 256);
const run = promisify(execFile);

/** A few seconds of real traffic: one device publishing at QoS 0, 1 and 2, one subscriber. */
async function seed(dir: string): Promise<{ file: string; port: number }> {
  const broker = await startMosquitto();
  const port = Number(new URL(broker.tcpUrl).port);
  const file = join(dir, "seed.pcap");
  const out = createWriteStream(file);
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const live = startLiveCapture({ interface: "lo", filter: `tcp port ${port}`, onChunk: (c) => out.write(c), onReady: ready, onEnd: ended });
  await listening;
  const sub = await mqtt.connectAsync(broker.tcpUrl, { clientId: "bench-sub" });
  await sub.subscribeAsync("bench/#", { qos: 2 });
  const dev = await mqtt.connectAsync(broker.tcpUrl, { clientId: "bench-dev" });
  for (let i = 0; i < 3000; i++) await dev.publishAsync(`bench/arm-${i % 20}/telemetry`, JSON.stringify({ seq: i, temp: 40 + (i % 7) }), { qos: (i % 3) as 0 | 1 | 2 });
  await dev.endAsync();
  await sub.endAsync();
  live.stop();
  await done;
  await new Promise<void>((r) => out.end(() => r()));
  await broker.stop();
  return { file, port };
}

/** The seed's records again and again, each repeat's client ports shifted, until `bytes`. */
function grow(seedFile: string, brokerPort: number, target: string, bytes: number): void {
  const seed = readFileSync(seedFile);
  const fd = openSync(target, "w");
  writeSync(fd, seed.subarray(0, 24));
  let written = 24;
  const le = seed.readUInt32LE(0) === 0xa1b2c3d4;
  for (let r = 0; written < bytes; r++) {
    const chunk = Buffer.from(seed.subarray(24));
    for (let at = 0; at + 16 <= chunk.length; ) {
      const len = le ? chunk.readUInt32LE(at + 8) : chunk.readUInt32BE(at + 8);
      const frame = at + 16;
      // Ethernet (lo), IPv4 with a 20-byte header: TCP ports at 34 and 36.
      if (len >= 38 && chunk.readUInt16BE(frame + 12) === 0x0800) {
        const tcp = frame + 14 + (chunk[frame + 14]! & 0x0f) * 4;
        const sport = chunk.readUInt16BE(tcp);
        const dport = chunk.readUInt16BE(tcp + 2);
        const shift = (p: number) => (p === brokerPort ? p : 10000 + ((p + r * 7) % 50000));
        chunk.writeUInt16BE(shift(sport), tcp);
        chunk.writeUInt16BE(shift(dport), tcp + 2);
      }
      at = frame + len;
    }
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
}

/** Our import in a process of its own, for its peak RSS: packets, seconds. */
async function ours(file: string): Promise<{ packets: number; seconds: number; rssMb: number }> {
  const script = `
    import { createReadStream } from "node:fs";
    import { MqttCapture } from "./lib/capture/mqtt-capture.ts";
    const c = new MqttCapture();
    const start = performance.now();
    for await (const chunk of createReadStream(process.argv[1], { highWaterMark: 1 << 20 })) c.push(chunk);
    c.end();
    const t = c.totals;
    process.stdout.write(JSON.stringify({ packets: t.mqttPackets, seconds: (performance.now() - start) / 1000, rssMb: process.resourceUsage().maxRSS / 1024 }));
  `;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as { packets: number; seconds: number; rssMb: number };
}

async function theirs(file: string, port: number): Promise<{ packets: number; seconds: number }> {
  const start = performance.now();
  const packets = await new Promise<number>((resolve, reject) => {
    const p = spawn("tshark", ["-r", file, "-d", `tcp.port==${port},mqtt`, "-Y", "mqtt", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "mqtt.msgtype"], { stdio: ["ignore", "pipe", "ignore"] });
    let n = 0;
    let rest = "";
    p.stdout.on("data", (d: Buffer) => {
      const lines = (rest + d.toString()).split("\n");
      rest = lines.pop()!;
      for (const l of lines) n += l === "" ? 0 : l.split(",").length;
    });
    p.once("exit", (code) => (code === 0 ? resolve(n) : reject(new Error(`tshark exited with ${code}`))));
  });
  return { packets, seconds: (performance.now() - start) / 1000 };
}

export async function benchCapture(): Promise<BenchResult[]> {
  execFileSync("tshark", ["--version"], { stdio: "ignore" });
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-capture-"));
  try {
    const { file: seedFile, port } = await seed(dir);
    const file = join(dir, "big.pcap");
    grow(seedFile, port, file, TARGET_MB * 1024 * 1024);
    const a = await ours(file);
    const b = await theirs(file, port);
    const name = `capture import, ${TARGET_MB} MB of MQTT at QoS 0/1/2 (${a.packets} packets here, ${b.packets} by tshark)`;
    return [
      { name: `${name}: MQTT packets per second (target ratio ≥ 2)`, value: a.packets / a.seconds, unit: "packets/s", reference: b.packets / b.seconds, referenceName: "tshark -r -Y mqtt, the same file" },
      { name: `${name}: peak RSS of the import (target < 300 MB)`, value: a.rssMb, unit: "MB", reference: 300, referenceName: "the target", lowerIsBetter: true },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
