import { describe, expect, it } from "vitest";
import { explainTcpdump, tcpdumpCounters } from "./tcpdump-output";

// As tcpdump 4.99 (Debian 12) prints them.
const STOPPED = "tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n611 packets captured\n1222 packets received by filter\n86 packets dropped by kernel\n";

describe("tcpdump's stderr", () => {
  it("gives the closing counters, the kernel's drops among them", () => {
    expect(tcpdumpCounters(STOPPED)).toEqual({ captured: 611, receivedByFilter: 1222, droppedByKernel: 86 });
    expect(tcpdumpCounters("1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n")).toEqual({ captured: 1, receivedByFilter: 1, droppedByKernel: 0 });
    expect(tcpdumpCounters("tcpdump: listening on lo")).toBeNull();
  });

  it.each([
    ["tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)", 1, /may not capture here .*setcap cap_net_raw/],
    ["tcpdump: nosuch0: No such device exists\n(No such device exists)", 1, /^no such interface: .*tcpdump -D/],
    ["tcpdump: syntax error in filter expression: syntax error", 1, /^tcpdump exited with 1: tcpdump: syntax error in filter expression/],
  ])("says what to do when it fails: %s", (stderr, code, said) => {
    expect(explainTcpdump(stderr, code)).toMatch(said);
  });
});
