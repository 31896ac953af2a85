import "server-only";
/**
 * A live capture: `tcpdump -U -w -` as a child process, its pcap output streamed to `onChunk`, so
 * only the child needs the capture privilege. Says plainly when tcpdump is missing or may not
 * capture on the interface, in words an operator can act on.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface LiveCaptureOptions {
  interface: string;
  /** A pcap filter expression, e.g. `tcp port 1883`. */
  filter?: string;
  onChunk(chunk: Uint8Array): void;
  /** The capture ended: null after stop(), else why. */
  onEnd(problem: string | null): void;
  /** tcpdump is listening: what is sent from now on is captured. */
  onReady?(): void;
  /** tcpdump's path, for tests. */
  command?: string;
}

/** An interface name as `ip link` prints them: no shell reaches it, but tcpdump reads options from it. */
const INTERFACE = /^[A-Za-z0-9_.:@-]{1,64}$/;

export function interfaceProblem(name: string): string | null {
  if (name.startsWith("-")) return "must not start with -";
  return INTERFACE.test(name) ? null : "must be an interface name such as eth0, lo or any";
}

/** What tcpdump's stderr says, as a sentence for the operator. */
export function explainTcpdump(stderr: string, code: number | null): string {
  if (/permission|not permitted|operation not permitted|don't have permission/i.test(stderr)) {
    return `tcpdump may not capture here (${stderr.trim().split("\n").pop()}): run as root, or grant it: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)`;
  }
  if (/no such device|doesn't exist|no suitable device/i.test(stderr)) return `no such interface: ${stderr.trim().split("\n").pop()} (list them with: tcpdump -D)`;
  const last = stderr.trim().split("\n").filter((l) => !/^(tcpdump: )?listening on|^\d+ packets/.test(l)).pop();
  return `tcpdump exited with ${code}${last ? `: ${last}` : ""}`;
}

export function startLiveCapture(opts: LiveCaptureOptions): { stop(): void; process: ChildProcess } {
  // --immediate-mode: each packet as it comes, not in kernel blocks a stop could leave unread.
  const args = ["--immediate-mode", "-U", "-w", "-", "-i", opts.interface, ...(opts.filter ? [opts.filter] : [])];
  const child = spawn(opts.command ?? "tcpdump", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stopped = false;
  let ended = false;
  const end = (problem: string | null) => {
    if (ended) return;
    ended = true;
    opts.onEnd(problem);
  };
  child.stdout.on("data", (c: Buffer) => opts.onChunk(c));
  let ready = false;
  child.stderr.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
    if (!ready && /listening on/.test(stderr)) {
      ready = true;
      opts.onReady?.();
    }
  });
  child.once("error", (err: NodeJS.ErrnoException) =>
    end(err.code === "ENOENT" ? "tcpdump is not installed: apt-get install -y tcpdump" : `could not start tcpdump: ${err.message}`),
  );
  child.once("close", (code) => end(stopped ? null : explainTcpdump(stderr, code)));
  return {
    process: child,
    stop() {
      stopped = true;
      child.kill("SIGINT");
    },
  };
}
