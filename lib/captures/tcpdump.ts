import "server-only";
/**
 * A live capture: `tcpdump -U -w -` as a child process, its pcap output streamed to `onChunk`, so
 * only the child needs the capture privilege. Says plainly when tcpdump is missing or may not
 * capture on the interface, in words an operator can act on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { explainTcpdump, tcpdumpCounters, type TcpdumpCounters } from "./tcpdump-output";

export interface LiveCaptureOptions {
  interface: string;
  /** A pcap filter expression, e.g. `tcp port 1883`. */
  filter?: string;
  onChunk(chunk: Uint8Array): void;
  /** The capture ended: null after stop(), else why; with tcpdump's own counters when it printed them. */
  onEnd(problem: string | null, counters: TcpdumpCounters | null): void;
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

const QUIET_MS = 200;
const STOP_WAIT_MS = 3000;

export function startLiveCapture(opts: LiveCaptureOptions): { stop(): void; process: ChildProcess } {
  // --immediate-mode: each packet as it comes, not in kernel blocks a stop could leave unread.
  // -B 32768 (KiB): with the default 2 MB buffer tcpdump's kernel dropped 86 of 700 packets of a
  // burst on loopback while this process was busy; 32 MB dropped none.
  const args = ["--immediate-mode", "-B", "32768", "-U", "-w", "-", "-i", opts.interface, ...(opts.filter ? [opts.filter] : [])];
  const child = spawn(opts.command ?? "tcpdump", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stopped = false;
  let ended = false;
  const end = (problem: string | null) => {
    if (ended) return;
    ended = true;
    opts.onEnd(problem, tcpdumpCounters(stderr));
  };
  let lastChunkAt = 0;
  child.stdout.on("data", (c: Buffer) => {
    lastChunkAt = Date.now();
    opts.onChunk(c);
  });
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
      if (stopped) return;
      stopped = true;
      // tcpdump drops what the kernel has captured but it has not read yet when it is told to
      // stop, and on a busy machine it reads late: stop once it has been quiet a moment (the
      // traffic before the stop is written), or after STOP_WAIT_MS whatever comes.
      const asked = Date.now();
      const check = () => {
        if (ended) return;
        const now = Date.now();
        if (now - lastChunkAt >= QUIET_MS || now - asked >= STOP_WAIT_MS) child.kill("SIGINT");
        else setTimeout(check, QUIET_MS / 2);
      };
      check();
    },
  };
}
