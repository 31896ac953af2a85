/** The real server entry as a child process on a free port, for benchmarks that drive it from outside. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/helpers/ports";

export interface ServerProcess {
  port: number;
  /** Resolves with the MQTT TCP URL once the banner is out. */
  ready: Promise<string>;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-server-"));
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    // Benchmarks measure throughput, not access control: the lab mode, where pages need no login
    // and the benches' own MQTT clients need no credentials.
    env: { ...process.env, PORT: String(port), MQTT_TCP_PORT: "0", DATABASE_URL: `file:${join(dir, "bench.db")}`, FLEETSCOPE_AUTH: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /MQTT TCP\s+(mqtt:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  ready.catch(() => undefined); // a caller that never awaits it must not crash the run
  return {
    port,
    ready,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once("exit", r));
        server.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
