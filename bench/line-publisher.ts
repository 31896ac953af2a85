/**
 * `mosquitto_pub -l`, one message per line, reading its lines from a file rather than a pipe the
 * benchmark's own busy process must keep filling. Keep runs under about 75,000 lines: past that
 * mosquitto_pub 2.0.11 exits early (status 0) with the rest unsent (bench/qos1-publisher.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The demo fleet's telemetry, numbered from 1, as mosquitto_pub -l lines. */
export function* telemetryLines(count: number): Generator<string> {
  for (let i = 1; i <= count; i += 1000) {
    let chunk = "";
    for (let k = i; k < Math.min(count + 1, i + 1000); k++) chunk += JSON.stringify({ seq: k, temp: 40 + (k % 7), current: 1.2, joints: [1, 2, 3, 4, 5, 6] }) + "\n";
    yield chunk;
  }
}

export interface LinePublisher {
  process: ChildProcess;
  /** Kills the publisher and removes its file. */
  stop(): void;
}

export function publishLines(url: string, opts: { topic: string; qos: 0 | 1; clientId: string; lines: Iterable<string> }): LinePublisher {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-lines-"));
  const file = join(dir, "lines.txt");
  const fd = openSync(file, "w");
  for (const chunk of opts.lines) writeSync(fd, chunk);
  closeSync(fd);
  const input = openSync(file, "r");
  const { hostname, port } = new URL(url);
  const child = spawn("mosquitto_pub", ["-h", hostname, "-p", port, "-t", opts.topic, "-q", String(opts.qos), "-l", "-i", opts.clientId], { stdio: [input, "ignore", "inherit"] });
  closeSync(input); // the child has its own copy
  return {
    process: child,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
