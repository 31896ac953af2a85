/**
 * `npm start`'s entry (server.ts) in a child process on a free port, as a user runs it; resolves
 * once its banner is out. Needs a production build. `killServers` in an afterAll ends any a
 * failing test left running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./ports";

export interface ServerProcess {
  port: number;
  /** What it printed up to its banner's last line. */
  banner: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      // The banner's last line names how to log in.
      if (/^ {2}(login|first login) /m.test(out)) resolve();
    });
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.once("exit", (code) => reject(new Error(`the server exited with ${code} before it was ready:\n${out}`)));
  });
  return {
    port,
    banner: out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

export async function killServers(): Promise<void> {
  await Promise.all(
    [...children].map(async (c) => {
      const exited = once(c, "exit");
      c.kill("SIGKILL");
      await exited;
    }),
  );
}
