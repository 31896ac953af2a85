/**
 * Drives the fuzzer's connections (packets.ts) into a running broker over TCP and its WebSocket
 * endpoint, a few at a time, and a probe: a well-behaved MQTT.js client whose publish/subscribe
 * round trips show whether the broker still answers while it is being fed junk. Shared by the
 * fuzz suite and `npm run bench -- fuzz`.
 */
import { spawn } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import type { BrokerProcessMemory, BrokerProcessReady } from "./broker-process";
import { fuzzConnections, type FuzzConnection } from "./packets";

/** The seed a run uses: `FUZZ_SEED` when set (decimal or 0x… hex), else a fresh one, to print on failure. */
export function fuzzSeed(env: string | undefined = process.env.FUZZ_SEED): number {
  if (env !== undefined && env.trim() !== "") {
    const n = Number(env.trim());
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer from 0 to 4294967295, not ${env}`);
    return n;
  }
  return (Date.now() ^ Math.floor(Math.random() * 0x100000000)) >>> 0;
}

export interface FuzzTarget {
  host: string;
  tcpPort: number;
  /** `ws://host:port/mqtt` */
  wsUrl: string;
}

export interface BrokerProcess {
  target: FuzzTarget;
  /** The broker process's memory, measured after a garbage collection; `peakRss` since the last call. */
  memory(): Promise<BrokerProcessMemory["memory"]>;
  /** Set when the process ended without being told to: a crash (its stderr is the test's). */
  exitedEarly(): string | undefined;
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** test/fuzz/broker-process.ts as a child process, ready to fuzz. */
export async function startBrokerProcess(): Promise<BrokerProcess> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "--import", "./scripts/register-hooks.mjs", "test/fuzz/broker-process.ts"], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let exited: string | undefined;
  let stopping = false;
  const exit = new Promise<void>((r) =>
    child.once("exit", (code, signal) => {
      if (!stopping) exited = `the broker process exited (${signal ?? `code ${code}`})`;
      r();
    }),
  );
  const ready = await new Promise<BrokerProcessReady["ready"]>((resolve, reject) => {
    child.on("message", (m: Partial<BrokerProcessReady>) => m.ready && resolve(m.ready));
    void exit.then(() => reject(new Error(exited ?? "the broker process exited before it was ready")));
  });
  return {
    target: { host: "127.0.0.1", tcpPort: ready.tcpPort, wsUrl: ready.wsUrl },
    memory: () =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new Error(exited));
        const on = (m: Partial<BrokerProcessMemory>) => {
          if (!m.memory) return;
          child.off("message", on);
          resolve(m.memory);
        };
        child.on("message", on);
        child.send({ memory: true });
      }),
    exitedEarly: () => exited,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ stop: true });
        else child.kill("SIGTERM");
      }
      await exit;
    },
  };
}

/** How long a connection may stay open after its last write before it counts as held open. */
const CLOSE_WITHIN_MS = 3000;

/**
 * Writes the connection's chunks, ends its side, and resolves when the broker has closed it: true
 * then, false when it was still open `closeWithinMs` later (and is destroyed).
 */
export function sendConnection(target: FuzzTarget, c: FuzzConnection, closeWithinMs = CLOSE_WITHIN_MS): Promise<boolean> {
  return c.transport === "tcp" ? sendTcp(target, c, closeWithinMs) : sendWebSocket(target, c, closeWithinMs);
}

function sendTcp(target: FuzzTarget, c: FuzzConnection, closeWithinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(target.tcpPort, target.host);
    let timer: NodeJS.Timeout | undefined;
    // The broker may close at the first bad byte, before all is written: EPIPE and ECONNRESET are answers.
    socket.on("error", () => undefined);
    // What the broker answers is read and dropped: unread, its FIN would never be seen.
    socket.resume();
    socket.once("connect", () => {
      for (const chunk of c.chunks) socket.write(chunk);
      socket.end();
      timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, closeWithinMs);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function sendWebSocket(target: FuzzTarget, c: FuzzConnection, closeWithinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(target.wsUrl, "mqtt");
    let timer: NodeJS.Timeout | undefined;
    ws.on("error", () => undefined);
    ws.once("open", () => {
      for (const chunk of c.chunks) ws.send(chunk, { binary: true });
      ws.close(1000);
      timer = setTimeout(() => {
        ws.terminate();
        resolve(false);
      }, closeWithinMs);
    });
    ws.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface FuzzRun {
  seed: number;
  packets: number;
  connections: number;
  /** Connections still open `CLOSE_WITHIN_MS` after their last write. */
  heldOpen: number;
  elapsedMs: number;
}

export interface FuzzRunOptions {
  seed: number;
  packets: number;
  /** Connections in flight at once. */
  concurrency?: number;
  mutate?: boolean;
}

export async function runFuzz(target: FuzzTarget, opts: FuzzRunOptions): Promise<FuzzRun> {
  const connections = fuzzConnections({ seed: opts.seed, mutate: opts.mutate }, opts.packets);
  const run: FuzzRun = { seed: opts.seed, packets: 0, connections: 0, heldOpen: 0, elapsedMs: 0 };
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const next = connections.next();
      if (next.done) return;
      const c = next.value;
      run.connections++;
      run.packets += c.packets.length;
      if (!(await sendConnection(target, c))) run.heldOpen++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  run.elapsedMs = performance.now() - start;
  return run;
}

/** A probe round trip that took longer than this has failed. */
export const PROBE_DEADLINE_MS = 1000;

/**
 * A good client: QoS 1 publishes to a topic of its own (no fuzzer filter matches `probe/…`), each
 * awaited back through its own subscription before the next, every `everyMs`.
 */
export class Probe {
  readonly rtts: number[] = [];
  readonly failures: string[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    readonly name: string,
    private readonly client: MqttClient,
    private readonly topic: string,
    private readonly everyMs: number,
  ) {}

  static async start(url: string, name: string, everyMs = 20): Promise<Probe> {
    const id = `probe-${name}-${Math.random().toString(36).slice(2, 10)}`;
    const client = await mqtt.connectAsync(url, { clientId: id, reconnectPeriod: 0, connectTimeout: 5000, keepalive: 30 });
    const topic = `probe/${id}/rtt`;
    await client.subscribeAsync(topic, { qos: 1 });
    const probe = new Probe(name, client, topic, everyMs);
    client.on("error", (err) => probe.failures.push(`${name}: ${err.message}`));
    client.on("close", () => probe.running && probe.failures.push(`${name}: the broker closed the probe's connection`));
    probe.loop = probe.run();
    return probe;
  }

  private async run(): Promise<void> {
    const name = this.name;
    for (let seq = 0; this.running; seq++) {
      const payload = String(seq);
      const start = performance.now();
      let onMessage: ((t: string, p: Buffer) => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      const answered = await new Promise<boolean>((resolve) => {
        onMessage = (t, p) => t === this.topic && p.toString() === payload && resolve(true);
        this.client.on("message", onMessage);
        timer = setTimeout(() => resolve(false), PROBE_DEADLINE_MS);
        this.client.publish(this.topic, payload, { qos: 1 });
      });
      clearTimeout(timer);
      this.client.off("message", onMessage!);
      const rtt = performance.now() - start;
      if (answered) this.rtts.push(rtt);
      else this.failures.push(`${name}: round trip ${seq} unanswered after ${PROBE_DEADLINE_MS} ms`);
      if (this.running) await new Promise((r) => setTimeout(r, this.everyMs));
    }
  }

  /** Ends the probe once the round trip in flight is answered (or has failed). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.endAsync();
  }
}

/** The `q` quantile (0..1) of `xs`, nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
