import { describe, expect, it } from "vitest";
import { concat, TCP, tcp, text } from "./fixtures/build";
import type { IpDatagram } from "./ip";
import { TcpReassembler, type TcpOptions } from "./tcp";
import type { Direction, TcpStreamEvent } from "./types";

const CLIENT = { address: "10.0.0.1", port: 50000 };
const SERVER = { address: "10.0.0.2", port: 1883 };
const { SYN, ACK, FIN, RST, PSH } = TCP;

/** A reassembler fed segments from either side, its events kept. */
class Wire {
  readonly tcp: TcpReassembler;
  readonly events: TcpStreamEvent[] = [];
  constructor(options?: TcpOptions) {
    this.tcp = new TcpReassembler(options);
  }
  send(from: "client" | "server", o: Parameters<typeof tcp>[0], ts = 0, ends = { client: CLIENT, server: SERVER }) {
    const [src, dst] = from === "client" ? [ends.client, ends.server] : [ends.server, ends.client];
    const datagram: IpDatagram = { src: src.address, dst: dst.address, protocol: 6, payload: tcp({ ...o, sport: src.port, dport: dst.port }) };
    return this.tcp.segment(datagram, ts, this.events);
  }
  end() {
    this.tcp.end(this.events);
  }
  /** The bytes passed on in one direction, gaps shown as [gap n]. */
  stream(dir: Direction): string {
    return this.events
      .filter((e) => (e.kind === "data" || e.kind === "gap") && e.dir === dir)
      .map((e) => (e.kind === "data" ? new TextDecoder().decode(e.bytes) : e.kind === "gap" ? `[gap ${e.bytes ?? "?"} ${e.reason}]` : ""))
      .join("");
  }
  kinds(): string[] {
    return this.events.map((e) => (e.kind === "close" ? `close:${e.reason}` : e.kind === "gap" ? `gap:${e.dir}` : e.kind === "data" ? `data:${e.dir}` : e.kind));
  }
}

/** Client SYN at 1000 (data from 1001), server SYN-ACK at 5000 (data from 5001), then the ACK. */
function handshake(w: Wire, clientIsn = 1000, serverIsn = 5000) {
  w.send("client", { seq: clientIsn, flags: SYN });
  w.send("server", { seq: serverIsn, ack: clientIsn + 1, flags: SYN | ACK });
  w.send("client", { seq: clientIsn + 1, ack: serverIsn + 1 });
}

const data = (seq: number, s: string, ack?: number, flags = PSH | ACK) => ({ seq, ack, flags, payload: text(s) });

describe("TcpReassembler", () => {
  it("passes on each direction's bytes in order and closes after both FINs", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1001, "CONNECT", 5001));
    w.send("server", data(5001, "CONNACK", 1008));
    w.send("client", { seq: 1008, ack: 5008, flags: FIN | ACK });
    w.send("server", { seq: 5008, ack: 1009, flags: FIN | ACK });
    w.send("client", { seq: 1009, ack: 5009 });
    expect(w.kinds()).toEqual(["open", "data:c2s", "data:s2c", "close:fin"]);
    expect(w.stream("c2s")).toBe("CONNECT");
    expect(w.stream("s2c")).toBe("CONNACK");
    expect(w.events[0]).toMatchObject({ conn: { id: 1, client: CLIENT, server: SERVER, handshake: true } });
  });

  it("follows sequence numbers across the 32-bit wrap", () => {
    const w = new Wire();
    handshake(w, 0xfffffff0);
    const first = (0xfffffff0 + 1) >>> 0;
    w.send("client", data((first + 10) >>> 0, "-klmnopqrst-"));
    w.send("client", data(first, "abcdefghij"));
    w.send("client", data((first + 22) >>> 0, "uvwxyz"));
    expect(w.stream("c2s")).toBe("abcdefghij-klmnopqrst-uvwxyz");
    expect(w.tcp.gaps).toBe(0);
  });

  it("holds segments that arrive early until the hole before them fills", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1011, "second...."));
    w.send("client", data(1021, "third....."));
    expect(w.stream("c2s")).toBe("");
    w.send("client", data(1001, "first....."));
    expect(w.stream("c2s")).toBe("first.....second....third.....");
  });

  it("passes on retransmitted and overlapping bytes once, and counts each such segment", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1001, "abcdef"));
    w.send("client", data(1001, "abcdef")); // a whole repeat
    w.send("client", data(1004, "defghi")); // overlaps by three
    w.send("client", data(1015, "op")); // early
    w.send("client", data(1015, "op")); // early, and repeated while held
    w.send("client", data(1010, "jklmno")); // fills the hole, overlapping the held one
    expect(w.stream("c2s")).toBe("abcdefghijklmnop");
    expect(w.tcp.retransmissions).toBe(4);
  });

  it("turns a hole the other side acknowledged into a gap once its grace is over: the capture missed those bytes", () => {
    const w = new Wire({ limits: { ackGraceMs: 100 } });
    handshake(w);
    w.send("client", data(1001, "one"));
    w.send("client", data(1010, "three")); // "two..." at 1004 was never captured
    w.send("server", { seq: 5001, ack: 1015 }, 0);
    expect(w.stream("c2s")).toBe("one");
    w.send("server", { seq: 5001, ack: 1015 }, 100);
    expect(w.stream("c2s")).toBe("one[gap 6 lost]three");
    expect(w.events.find((e) => e.kind === "gap")).toMatchObject({ bytes: 6, reason: "lost", dir: "c2s" });
  });

  it("takes a segment recorded after its acknowledgement, as a busy multi-core capture does, without a gap", () => {
    const w = new Wire({ limits: { ackGraceMs: 100 } });
    handshake(w);
    w.send("client", data(1001, "one"), 0);
    w.send("client", data(1010, "three"), 1);
    w.send("server", { seq: 5001, ack: 1015 }, 2);
    w.send("client", data(1004, "two..."), 3); // recorded late, timestamped by another core
    w.send("server", { seq: 5001, ack: 1015 }, 500);
    expect(w.stream("c2s")).toBe("onetwo...three");
    expect(w.tcp.gaps).toBe(0);
    expect(w.tcp.retransmissions).toBe(0);
  });

  it("judges only the acknowledged part of a hole", () => {
    const w = new Wire({ limits: { ackGraceMs: 0 } });
    handshake(w);
    w.send("client", data(1001, "one"));
    w.send("client", data(1010, "three"));
    w.send("server", { seq: 5001, ack: 1006 }); // 1004–1005 acknowledged, 1006–1009 may still come
    w.send("client", data(1006, "TWO!"));
    expect(w.stream("c2s")).toBe("one[gap 2 lost]TWO!three");
  });

  it("gives up on a hole that stays open past the timeout, in capture time", () => {
    const w = new Wire({ limits: { holeTimeoutMs: 1000 } });
    handshake(w);
    w.send("client", data(1010, "later"), 0);
    w.send("client", data(1015, "-still"), 999);
    expect(w.stream("c2s")).toBe("");
    w.send("server", { seq: 5001, ack: 1001 }, 1000);
    expect(w.stream("c2s")).toBe("[gap 9 lost]later-still");
  });

  it("gives up on the first hole when too many segments or bytes wait", () => {
    const w = new Wire({ limits: { maxHeldSegments: 2 } });
    handshake(w);
    ["b", "c", "d"].forEach((s, i) => w.send("client", data(1002 + i, s)));
    expect(w.stream("c2s")).toBe("[gap 1 buffer-full]bcd");
    const bytes = new Wire({ limits: { maxHeldBytes: 4 } });
    handshake(bytes);
    bytes.send("client", data(1003, "cde"));
    bytes.send("client", data(1006, "fg"));
    expect(bytes.stream("c2s")).toBe("[gap 2 buffer-full]cdefg");
  });

  it("bounds the bytes held over all connections together", () => {
    const w = new Wire({ limits: { maxHeldTotalBytes: 5 } });
    const other = { client: { address: "10.0.0.3", port: 50001 }, server: SERVER };
    handshake(w);
    w.send("client", data(1002, "abc"));
    w.send("client", { seq: 1, flags: SYN }, 0, other);
    w.send("client", data(3, "xyz"), 0, other);
    // The second connection's segment took the total past 5: it gave up on its own hole.
    expect(w.events.filter((e) => e.kind === "gap").map((e) => e.conn.id)).toEqual([2]);
  });

  it("starts a stream caught mid-way with a gap of unknown size, and takes the server port for the server", () => {
    const w = new Wire();
    w.send("server", data(9000, "PUBACK", 777));
    w.send("client", data(777, "PUBLISH", 9006));
    expect(w.events[0]).toMatchObject({ kind: "open", conn: { client: CLIENT, server: SERVER, handshake: false } });
    expect(w.events[1]).toMatchObject({ kind: "gap", dir: "s2c", bytes: undefined, reason: "capture-start" });
    expect(w.stream("s2c")).toBe("[gap ? capture-start]PUBACK");
    expect(w.stream("c2s")).toBe("[gap ? capture-start]PUBLISH");
  });

  it.each([
    ["the configured server port", [8000], { address: "10.0.0.2", port: 8000 }, { address: "10.0.0.1", port: 80 }],
    ["the lower port when neither is a server port", [], { address: "10.0.0.2", port: 40000 }, { address: "10.0.0.1", port: 50000 }],
    ["the lower port when both are server ports", [1883, 8883], { address: "10.0.0.2", port: 1883 }, { address: "10.0.0.1", port: 8883 }],
  ])("without a handshake, takes %s for the server", (_, serverPorts, server, client) => {
    const w = new Wire({ serverPorts });
    w.send("client", data(1, "x"), 0, { client: server, server: client }); // the server speaks first
    expect(w.events[0]).toMatchObject({ conn: { client, server } });
  });

  it("without a handshake and equal ports, takes the first sender for the client", () => {
    const w = new Wire({ serverPorts: [] });
    const a = { address: "10.0.0.9", port: 7000 };
    const b = { address: "10.0.0.1", port: 7000 };
    w.send("client", data(1, "x"), 0, { client: a, server: b });
    expect(w.events[0]).toMatchObject({ conn: { client: a, server: b } });
  });

  it("takes the sender of a SYN-ACK for the server when the SYN was missed", () => {
    const w = new Wire({ serverPorts: [] });
    w.send("server", { seq: 5000, ack: 1001, flags: SYN | ACK });
    w.send("client", data(1001, "CONNECT", 5001));
    expect(w.events[0]).toMatchObject({ conn: { client: CLIENT, server: SERVER, handshake: true } });
    expect(w.stream("c2s")).toBe("[gap ? capture-start]CONNECT");
  });

  it("passes on the data a SYN carries (TCP Fast Open)", () => {
    const w = new Wire();
    w.send("client", { seq: 1000, flags: SYN, payload: text("early") });
    w.send("client", data(1006, "-more"));
    expect(w.stream("c2s")).toBe("early-more");
  });

  it("closes after a FIN whose lost bytes before it were acknowledged", () => {
    const w = new Wire({ limits: { ackGraceMs: 0 } });
    handshake(w);
    w.send("client", data(1001, "abc"));
    w.send("client", { seq: 1010, flags: FIN | ACK });
    w.send("server", { seq: 5001, ack: 1011, flags: FIN | ACK });
    expect(w.stream("c2s")).toBe("abc[gap 6 lost]");
    expect(w.kinds().at(-1)).toBe("close:fin");
  });

  it("takes the FIN of a retransmitted last segment whose data was seen, and ignores a repeated FIN", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1001, "bye"));
    w.send("client", { ...data(1001, "bye"), flags: FIN | ACK });
    w.send("client", { seq: 1004, flags: FIN | ACK });
    w.send("server", { seq: 5001, ack: 1005, flags: FIN | ACK });
    expect(w.stream("c2s")).toBe("bye");
    expect(w.kinds()).toEqual(["open", "data:c2s", "close:fin"]);
    expect(w.tcp.retransmissions).toBe(1);
  });

  it("closes at a reset, passing on what was held after a gap", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1005, "held"));
    w.send("server", { seq: 5001, flags: RST });
    expect(w.kinds()).toEqual(["open", "gap:c2s", "data:c2s", "close:rst"]);
    expect(w.stream("c2s")).toBe("[gap 4 lost]held");
  });

  it("counts repeats after the close without passing them on", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1001, "bye"));
    w.send("client", { seq: 1004, flags: FIN | ACK });
    w.send("server", { seq: 5001, ack: 1005, flags: FIN | ACK });
    w.send("client", data(1001, "bye"));
    w.send("client", data(1006, "after the end"));
    expect(w.stream("c2s")).toBe("bye");
    expect(w.tcp.retransmissions).toBe(1);
  });

  it("opens a new connection for a new SYN on the same ports, after a close or instead of a stale one", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", { seq: 1001, flags: RST });
    handshake(w, 2000);
    handshake(w, 3000);
    expect(w.kinds()).toEqual(["open", "close:rst", "open", "close:reused", "open"]);
    expect(w.events.filter((e) => e.kind === "open").map((e) => e.conn.id)).toEqual([1, 2, 3]);
  });

  it("takes a repeated SYN for a repeat, not a new connection", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", { seq: 1000, flags: SYN });
    expect(w.kinds()).toEqual(["open"]);
  });

  it("drops the least recently active connection past the limit, closing it first", () => {
    const w = new Wire({ limits: { maxConnections: 2 } });
    const conn = (port: number) => ({ client: { address: "10.0.0.1", port }, server: SERVER });
    w.send("client", data(1, "a"), 0, conn(1));
    w.send("client", data(1, "b"), 0, conn(2));
    w.send("client", data(2, "a"), 0, conn(1));
    w.send("client", data(1, "c"), 0, conn(3));
    const closed = w.events.find((e) => e.kind === "close");
    expect(closed).toMatchObject({ reason: "evicted", conn: { client: { port: 2 } } });
  });

  it("at the end of the capture, passes on what is held and closes every connection", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", data(1004, "tail"), 42);
    w.end();
    expect(w.kinds()).toEqual(["open", "gap:c2s", "data:c2s", "close:capture-end"]);
    expect(w.events.at(-1)).toMatchObject({ ts: 42 });
  });

  it("reports a header it cannot read", () => {
    const w = new Wire();
    const short: IpDatagram = { src: "a", dst: "b", protocol: 6, payload: new Uint8Array(19) };
    expect(w.tcp.segment(short, 0, w.events)).toBe("TCP header cut short");
    const badOffset = tcp({ seq: 1 });
    badOffset[12] = 0x40;
    expect(w.tcp.segment({ ...short, payload: badOffset }, 0, w.events)).toBe("TCP header length 16");
    const pastEnd = concat(tcp({ seq: 1 }).subarray(0, 12), [0xf0], new Uint8Array(7));
    expect(w.tcp.segment({ ...short, payload: pastEnd }, 0, w.events)).toBe("TCP header length 60");
    expect(w.events).toEqual([]);
  });

  it("skips TCP options to find the payload", () => {
    const w = new Wire();
    handshake(w);
    w.send("client", { ...data(1001, "payload"), options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] });
    expect(w.stream("c2s")).toBe("payload");
  });
});
