/**
 * A real Mosquitto started by the test on free ports, with a TCP and a WebSocket listener.
 * No pid_file: it drops to the mosquitto user and could not write one (docs/architecture.md, gotcha 5).
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
  /** Kills the broker process (its in-memory sessions go with it); `start` brings it back on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `auth`: no anonymous clients; accounts and ACLs from these files instead. `listenerOptions`:
 * options for both listeners, such as `max_qos 1` (a broker that grants less than asked). They
 * must follow a `listener` line: before one, Mosquitto opens a default listener on 1883.
 */
export async function startMosquitto(opts: { auth?: { passwordFile: string; aclFile: string }; listenerOptions?: string[] } = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-mosquitto-"));
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      "persistence false",
      "max_inflight_messages 0",
      // A bridge that is down for a while must find everything queued, not the default 1000.
      "max_queued_messages 1000000",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      `listener ${tcpPort} 127.0.0.1`,
      ...(opts.listenerOptions ?? []),
      ...(opts.auth ? ["allow_anonymous false", `password_file ${opts.auth.passwordFile}`, `acl_file ${opts.auth.aclFile}`] : ["allow_anonymous true"]),
      `listener ${wsPort} 127.0.0.1`,
      "protocol websockets",
      ...(opts.listenerOptions ?? []),
      "",
    ].join("\n"),
  );
  let proc: ChildProcess | null = null;
  const start = async () => {
    const p = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    proc = p;
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mosquitto did not start:\n${log}`)), 10_000);
      p.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited with ${code}:\n${log}`));
      });
      p.stderr!.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        // Both listeners announce themselves; the WebSocket one comes last.
        if ((log.match(/Opening (ipv4 listen socket|websockets listen socket) on port/g) ?? []).length >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  };
  const kill = async () => {
    const p = proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      await exited;
    }
  };
  await start();
  return {
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
