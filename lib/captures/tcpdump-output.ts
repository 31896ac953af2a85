/**
 * What tcpdump prints on stderr, read: why it failed, in words an operator can act on, and its
 * closing counters, which tell packets the kernel dropped (the capture's loss, not ours).
 */

/** What tcpdump's stderr says, as a sentence for the operator. */
export function explainTcpdump(stderr: string, code: number | null): string {
  if (/permission|not permitted|operation not permitted|don't have permission/i.test(stderr)) {
    return `tcpdump may not capture here (${stderr.trim().split("\n").pop()}): run as root, or grant it: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)`;
  }
  if (/no such device|doesn't exist|no suitable device/i.test(stderr)) return `no such interface: ${stderr.trim().split("\n").pop()} (list them with: tcpdump -D)`;
  const last = stderr.trim().split("\n").filter((l) => !/^(tcpdump: )?listening on|^\d+ packets/.test(l)).pop();
  return `tcpdump exited with ${code}${last ? `: ${last}` : ""}`;
}

export interface TcpdumpCounters {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

/** The counters tcpdump prints as it exits ("N packets captured", …), or null when it printed none. */
export function tcpdumpCounters(stderr: string): TcpdumpCounters | null {
  const count = (what: string) => {
    const m = new RegExp(`(\\d+) packets? ${what}`).exec(stderr);
    return m ? Number(m[1]) : null;
  };
  const captured = count("captured");
  if (captured === null) return null;
  return { captured, receivedByFilter: count("received by filter") ?? 0, droppedByKernel: count("dropped by kernel") ?? 0 };
}
