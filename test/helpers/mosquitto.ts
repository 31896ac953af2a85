/**
 * A real Mosquitto started by the test on free ports, with a TCP and a WebSocket listener.
 * No pid_file: it drops to the mosquitto user and could not write one (STACK.md, gotcha 6).
 * max_inflight_messages 0: Debian's Mosquitto 2.0.11 stops delivering queued QoS 2 messages to a
 * subscriber once its 20-message inflight window has filled (inflight quota fixes came in 2.0.13).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export interface Mosquitto {
  tcpUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-mosquitto-"));
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      "persistence false",
      "max_inflight_messages 0",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      `listener ${tcpPort} 127.0.0.1`,
      "allow_anonymous true",
      `listener ${wsPort} 127.0.0.1`,
      "protocol websockets",
      "",
    ].join("\n"),
  );
  const proc: ChildProcess = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mosquitto did not start:\n${log}`)), 10_000);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mosquitto exited with ${code}:\n${log}`));
    });
    proc.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      // Both listeners announce themselves; the WebSocket one comes last.
      if ((log.match(/Opening (ipv4 listen socket|websockets listen socket) on port/g) ?? []).length >= 2) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
