/**
 * TCP connections from their segments: each connection found by its address and port pair, its
 * client told apart from its server, and each direction put back in order by a `TcpStream`.
 * Events come out as a consumer of a byte stream needs them: open, data, gap, close.
 * Header layout: RFC 9293 3.1. Checksums are not checked (see ip.ts: offload).
 */
import { u16, u32 } from "./bytes";
import type { IpDatagram } from "./ip";
import { TcpStream, type StreamContext, type StreamLimits } from "./tcp-stream";
import type { CloseReason, Endpoint, TcpConnection, TcpStreamEvent } from "./types";

/** MQTT (1883), MQTT over TLS (8883), and the usual MQTT-over-WebSocket ports. */
export const DEFAULT_SERVER_PORTS: readonly number[] = [1883, 8883, 8080, 8083, 9001];

export interface TcpLimits extends StreamLimits {
  /** Connections tracked at once; the least recently active is dropped (after a flush) past this. */
  maxConnections: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 10_000,
  maxHeldSegments: 1024,
  maxHeldBytes: 1024 * 1024,
  maxHeldTotalBytes: 32 * 1024 * 1024,
  // Linux gives up retransmitting after minutes, but a hole still open after this long in a
  // capture is far likelier a segment the capture dropped than one still to come.
  holeTimeoutMs: 30_000,
  // Loopback captures on two busy cores were seen recording a segment a few milliseconds after
  // its acknowledgement; a second is ample and still short next to the hole timeout.
  ackGraceMs: 1_000,
};

export interface TcpOptions {
  /** Ports that mark the server when the handshake was not captured. */
  serverPorts?: readonly number[];
  limits?: Partial<TcpLimits>;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const MIN_HEADER_BYTES = 20;

interface Connection {
  info: TcpConnection;
  /** The client's address and port as keyed, to tell which way a segment goes. */
  clientKey: string;
  c2s: TcpStream;
  s2c: TcpStream;
  closed: boolean;
}

export class TcpReassembler {
  /** In order of last activity, so the first is the one to drop when there are too many. */
  private readonly connections = new Map<string, Connection>();
  private readonly serverPorts: ReadonlySet<number>;
  private readonly limits: TcpLimits;
  private readonly ctx: StreamContext;
  private nextId = 1;
  private lastTs = 0;

  constructor(options: TcpOptions = {}) {
    this.serverPorts = new Set(options.serverPorts ?? DEFAULT_SERVER_PORTS);
    this.limits = { ...DEFAULT_TCP_LIMITS, ...options.limits };
    this.ctx = { limits: this.limits, retransmissions: 0, gaps: 0, heldBytes: 0 };
  }

  get retransmissions(): number {
    return this.ctx.retransmissions;
  }

  get gaps(): number {
    return this.ctx.gaps;
  }

  /**
   * Takes the TCP segment in `datagram`, captured at `ts`, appending the events it causes to `out`.
   * Returns why the segment could not be read, if it could not.
   */
  segment(datagram: IpDatagram, ts: number, out: TcpStreamEvent[]): string | undefined {
    const tcp = datagram.payload;
    if (tcp.length < MIN_HEADER_BYTES) return "TCP header cut short";
    const headerLength = (tcp[12]! >> 4) * 4;
    if (headerLength < MIN_HEADER_BYTES || headerLength > tcp.length) return `TCP header length ${headerLength}`;
    this.lastTs = ts;
    const src: Endpoint = { address: datagram.src, port: u16(tcp, 0) };
    const dst: Endpoint = { address: datagram.dst, port: u16(tcp, 2) };
    const seq = u32(tcp, 4);
    const ack = u32(tcp, 8);
    const flags = tcp[13]!;
    const payload = tcp.subarray(headerLength);
    const srcKey = endpointKey(src);
    const dstKey = endpointKey(dst);
    const key = srcKey < dstKey ? `${srcKey} ${dstKey}` : `${dstKey} ${srcKey}`;

    let conn = this.connections.get(key);
    // A client's SYN that is not a repeat of the one seen opens a new connection on the same ports.
    if (conn && flags & SYN && !(flags & ACK) && (conn.clientKey !== srcKey || conn.c2s.isn !== seq)) {
      this.finish(conn, "reused", ts, out);
      this.connections.delete(key);
      conn = undefined;
    }
    if (conn) this.connections.delete(key);
    else conn = this.open(src, dst, srcKey, flags, ts, out);
    this.connections.set(key, conn);

    const fromClient = srcKey === conn.clientKey;
    const stream = fromClient ? conn.c2s : conn.s2c;
    const peer = fromClient ? conn.s2c : conn.c2s;
    if (flags & RST) {
      this.finish(conn, "rst", ts, out);
      return undefined;
    }
    if (flags & SYN) stream.syn(seq);
    if (flags & ACK) peer.acked(ack, ts, out);
    stream.segment(flags & SYN ? (seq + 1) >>> 0 : seq, payload, (flags & FIN) !== 0, ts, out);
    if (!conn.closed && conn.c2s.finished && conn.s2c.finished) {
      conn.closed = true;
      out.push({ kind: "close", conn: conn.info, ts, reason: "fin" });
    }
    return undefined;
  }

  /** The capture is over: every connection still open passes on what it holds and closes. */
  end(out: TcpStreamEvent[]): void {
    for (const conn of this.connections.values()) this.finish(conn, "capture-end", this.lastTs, out);
    this.connections.clear();
  }

  private open(src: Endpoint, dst: Endpoint, srcKey: string, flags: number, ts: number, out: TcpStreamEvent[]): Connection {
    if (this.connections.size >= this.limits.maxConnections) this.evictOldest(ts, out);
    const handshake = (flags & SYN) !== 0;
    const senderIsClient = handshake ? !(flags & ACK) : this.isClientByPort(src.port, dst.port);
    const client = senderIsClient ? src : dst;
    const info: TcpConnection = { id: this.nextId++, client, server: senderIsClient ? dst : src, handshake };
    const conn: Connection = {
      info,
      clientKey: senderIsClient ? srcKey : endpointKey(dst),
      c2s: new TcpStream(info, "c2s", this.ctx),
      s2c: new TcpStream(info, "s2c", this.ctx),
      closed: false,
    };
    out.push({ kind: "open", conn: info, ts });
    return conn;
  }

  /**
   * Without a handshake: the side on a server port is the server; if both or neither are, the
   * lower port is (servers listen on low, fixed ports; clients get high, ephemeral ones); on a
   * tie, the sender of the first segment seen is taken for the client.
   */
  private isClientByPort(srcPort: number, dstPort: number): boolean {
    const srcServer = this.serverPorts.has(srcPort);
    const dstServer = this.serverPorts.has(dstPort);
    if (srcServer !== dstServer) return dstServer;
    return srcPort >= dstPort;
  }

  private evictOldest(ts: number, out: TcpStreamEvent[]) {
    const [key, conn] = this.connections.entries().next().value!;
    this.finish(conn, "evicted", ts, out);
    this.connections.delete(key);
  }

  /** Flushes both directions and reports the close, unless the connection closed already. */
  private finish(conn: Connection, reason: CloseReason, ts: number, out: TcpStreamEvent[]) {
    if (conn.closed) return;
    conn.c2s.close(ts, out);
    conn.s2c.close(ts, out);
    conn.closed = true;
    out.push({ kind: "close", conn: conn.info, ts, reason });
  }
}

function endpointKey(e: Endpoint): string {
  return `${e.address}|${e.port}`;
}
