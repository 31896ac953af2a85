/**
 * MQTT on the TCP streams of a capture: which connections carry it (by port, or by their first
 * client bytes: a CONNECT, an HTTP Upgrade to WebSocket, a TLS record), and for each, both
 * directions framed into packets (mqtt-frames.ts), through WebSocket when upgraded
 * (websocket.ts), and decoded with the version its CONNECT gave, or, without one, the version the
 * packets tell (mqtt-version.ts), said to be inferred. TLS connections are counted, not decoded.
 * Each connection ends with its summary. Memory is per open connection; nothing else is kept.
 */
import { MqttFramer, type FramedPacket } from "./mqtt-frames";
import { decodePacket, readFixedHeader } from "./mqtt-packet";
import { readBothWays } from "./mqtt-version";
import { TlsCounter, looksLikeTls } from "./tls-records";
import type { Direction, Endpoint, TcpConnection, TcpStreamEvent } from "./types";
import type { ConnLabel, ConnectionSummary, DecodedPacket, MqttPacketEvent, MqttPacketType, MqttVersion, Transport } from "./mqtt-types";
import { headerValues, readHttpHead, WebSocketReader, type HttpHead } from "./websocket";

export const DEFAULT_MQTT_PORTS: readonly number[] = [1883];
export const DEFAULT_TLS_PORTS: readonly number[] = [8883];
export const DEFAULT_WEBSOCKET_PORTS: readonly number[] = [8080, 8083, 9001];

export interface MqttStreamOptions {
  /** Server ports of plain MQTT: a connection on one is MQTT even when it starts mid-stream. */
  mqttPorts?: readonly number[];
  /** Server ports of MQTT over TLS: counted, never decoded. */
  tlsPorts?: readonly number[];
  /** Server ports of MQTT over WebSocket (an upgrade without a subprotocol counts only on these). */
  webSocketPorts?: readonly number[];
}

/** Packets held while a connection's version is unknown; past this, it is decided on what leans. */
export const MAX_UNDECIDED_PACKETS = 32;
/** Problems kept per connection; the rest are counted. */
export const MAX_CONNECTION_PROBLEMS = 20;
/** Packets held in one direction while the other searches for its first packet boundary. */
const MAX_ORDERING_PACKETS = 256;
/** Bytes held before a connection is known to be MQTT or not. */
const MAX_UNCLASSIFIED_BYTES = 64 * 1024;

export interface MqttStreamOutput {
  packets: MqttPacketEvent[];
  connections: ConnectionSummary[];
}

interface Ports {
  mqtt: ReadonlySet<number>;
  tls: ReadonlySet<number>;
  ws: ReadonlySet<number>;
}

export class MqttStreamDecoder {
  private readonly connections = new Map<TcpConnection, Connection>();
  private readonly ports: Ports;
  /** Connections found to be MQTT (or MQTT over TLS), and those found to be something else. */
  mqttConnections = 0;
  otherConnections = 0;

  constructor(options: MqttStreamOptions = {}) {
    this.ports = {
      mqtt: new Set(options.mqttPorts ?? DEFAULT_MQTT_PORTS),
      tls: new Set(options.tlsPorts ?? DEFAULT_TLS_PORTS),
      ws: new Set(options.webSocketPorts ?? DEFAULT_WEBSOCKET_PORTS),
    };
  }

  /** Every server port of the options, for telling clients from servers without a handshake. */
  get serverPorts(): number[] {
    return [...this.ports.mqtt, ...this.ports.tls, ...this.ports.ws];
  }

  handle(e: TcpStreamEvent, out: MqttStreamOutput): void {
    if (e.kind === "open") {
      this.connections.set(e.conn, new Connection(e.conn, e.ts, this.ports));
      return;
    }
    let c = this.connections.get(e.conn);
    if (!c) {
      c = new Connection(e.conn, e.ts, this.ports);
      this.connections.set(e.conn, c);
    }
    c.out = out;
    if (e.kind === "close") {
      c.close(e.ts);
      this.connections.delete(e.conn);
      if (c.isMqtt) {
        this.mqttConnections++;
        out.connections.push(c.summary);
      } else this.otherConnections++;
      return;
    }
    if (e.kind === "data") c.data(e.dir, e.bytes, e.ts);
    else c.gap(e.dir, e.ts);
  }

  /** Summaries of the MQTT connections still open, as they stand. */
  openConnections(): ConnectionSummary[] {
    return [...this.connections.values()].filter((c) => c.isMqtt).map((c) => c.snapshot());
  }
}

type Mode = "undecided" | "mqtt" | "upgrade" | "websocket" | "tls" | "other";
type Held = { dir: Direction; bytes: Uint8Array | null; ts: number };
interface Pending {
  dir: Direction;
  ts: number;
  as4: DecodedPacket;
  as5: DecodedPacket;
}

const DIRS: readonly Direction[] = ["c2s", "s2c"];

export function connLabel(conn: TcpConnection): ConnLabel {
  return `${conn.id} ${endpointText(conn.client)} > ${endpointText(conn.server)}` as ConnLabel;
}

function endpointText(e: Endpoint): string {
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

class Connection {
  out: MqttStreamOutput = { packets: [], connections: [] };
  readonly summary: ConnectionSummary;
  private mode: Mode = "undecided";
  private held: Held[] = [];
  private heldBytes = 0;
  private prefix: Uint8Array = new Uint8Array(0);
  private readonly framers: Partial<Record<Direction, MqttFramer>> = {};
  private readonly ws: Partial<Record<Direction, WebSocketReader>> = {};
  private readonly http: Record<Direction, Uint8Array> = { c2s: new Uint8Array(0), s2c: new Uint8Array(0) };
  private upgradeRefused = false;
  /** Whether the upgrade negotiated permessage-deflate. */
  private deflate = false;
  private readonly tls: Partial<Record<Direction, TlsCounter>> = {};
  private version: MqttVersion | undefined;
  private pending: Pending[] = [];
  private leans5 = 0;
  /** Whether the client's first packet was seen from the stream's start (so it must be a CONNECT). */
  private c2sFromStart = true;
  private c2sPackets = 0;
  private readonly aliases: Record<Direction, Map<number, string>> = { c2s: new Map(), s2c: new Map() };
  private ordering: MqttPacketEvent[] = [];

  constructor(
    private readonly conn: TcpConnection,
    ts: number,
    private readonly ports: Ports,
  ) {
    this.summary = {
      conn: connLabel(conn),
      id: conn.id,
      client: { ...conn.client },
      server: { ...conn.server },
      handshake: conn.handshake,
      transport: "tcp",
      firstTs: ts,
      lastTs: ts,
      versionInferred: false,
      packets: { c2s: {}, s2c: {} },
      malformed: 0,
      truncated: 0,
      skippedBytes: 0,
      gaps: 0,
      problems: [],
      problemsOmitted: 0,
    };
    if (ports.tls.has(conn.server.port)) this.decide("tls");
  }

  get isMqtt(): boolean {
    return this.mode !== "undecided" && this.mode !== "other";
  }

  private get transport(): Transport {
    return this.mode === "upgrade" || this.mode === "websocket" ? "websocket" : "tcp";
  }

  data(dir: Direction, bytes: Uint8Array, ts: number): void {
    this.summary.lastTs = ts;
    if (this.mode === "undecided") {
      this.hold({ dir, bytes, ts });
      if (dir === "c2s" && this.prefix.length < 16) this.prefix = join(this.prefix, bytes.subarray(0, 16 - this.prefix.length));
      this.classify(false);
    } else this.route(dir, bytes, ts);
    this.releaseOrdered();
  }

  gap(dir: Direction, ts: number): void {
    this.summary.lastTs = ts;
    this.summary.gaps++;
    if (this.mode === "undecided") {
      this.hold({ dir, bytes: null, ts });
      // A client stream that starts with a gap (or has one before it could be told) goes by its port.
      if (dir === "c2s") this.classify(true);
    } else this.routeGap(dir, ts);
    this.releaseOrdered();
  }

  close(ts: number): void {
    if (this.mode === "undecided") this.classify(true);
    for (const dir of DIRS) {
      this.ws[dir]?.end();
      this.framers[dir]?.end(ts);
    }
    if (this.version === undefined && this.pending.length > 0) this.decideVersion(this.leans5 > 0 ? 5 : 4, true, "the connection ended before any packet told 3.1.1 and 5 apart");
    this.releaseOrdered();
    this.finishTls();
  }

  snapshot(): ConnectionSummary {
    this.finishTls();
    const s = this.summary;
    return { ...s, packets: { c2s: { ...s.packets.c2s }, s2c: { ...s.packets.s2c } }, problems: [...s.problems] };
  }

  private finishTls() {
    const { c2s, s2c } = this.tls;
    if (c2s && s2c) this.summary.tls = { records: { c2s: c2s.records, s2c: s2c.records }, bytes: { c2s: c2s.bytes, s2c: s2c.bytes } };
  }

  // Telling what the connection carries ------------------------------------------------------------

  private hold(h: Held) {
    this.held.push(h);
    this.heldBytes += h.bytes?.length ?? 0;
  }

  private classify(final: boolean) {
    const port = this.conn.server.port;
    const byPort = (): Mode => (this.ports.mqtt.has(port) ? "mqtt" : this.ports.ws.has(port) ? "websocket" : "other");
    const p = this.prefix;
    if (p.length === 0) {
      if (final) this.decide(byPort());
      else if (this.heldBytes > MAX_UNCLASSIFIED_BYTES) this.decide(byPort());
      return;
    }
    const tls = looksLikeTls(p);
    const http = startsWith(p, "GET ");
    const connect = looksLikeConnect(p);
    if (tls === true) return this.decide("tls");
    if (http === true) return this.decide("upgrade");
    if (connect === true) return this.decide("mqtt");
    if (!final && (tls === "more" || http === "more" || connect === "more") && this.heldBytes <= MAX_UNCLASSIFIED_BYTES) return;
    this.decide(this.ports.mqtt.has(port) ? "mqtt" : "other");
  }

  private decide(mode: Mode) {
    this.mode = mode;
    if (mode === "mqtt") {
      this.summary.transport = "tcp";
      for (const dir of DIRS) this.framers[dir] = this.framer(dir);
    } else if (mode === "websocket" || mode === "upgrade") {
      this.summary.transport = "websocket";
      this.summary.webSocket = { frames: { c2s: 0, s2c: 0 }, controlFrames: { ping: 0, pong: 0, close: 0 } };
      for (const dir of DIRS) this.framers[dir] = this.framer(dir);
      if (mode === "websocket") for (const dir of DIRS) this.startWebSocket(dir, true);
    } else if (mode === "tls") {
      this.summary.transport = "tls";
      this.tls.c2s = new TlsCounter();
      this.tls.s2c = new TlsCounter();
    }
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.prefix = new Uint8Array(0);
    if (mode === "other") return;
    for (const h of held) {
      if (h.bytes) this.route(h.dir, h.bytes, h.ts);
      else this.routeGap(h.dir, h.ts);
    }
  }

  private route(dir: Direction, bytes: Uint8Array, ts: number) {
    switch (this.mode) {
      case "mqtt":
        this.framers[dir]!.push(bytes, ts);
        return;
      case "tls":
        this.tls[dir]!.push(bytes);
        return;
      case "upgrade":
      case "websocket": {
        const reader = this.ws[dir];
        if (reader) reader.push(bytes, ts);
        else this.upgradeHead(dir, bytes, ts);
        return;
      }
      default:
        return;
    }
  }

  private routeGap(dir: Direction, ts: number) {
    if (dir === "c2s" && this.c2sPackets === 0) this.c2sFromStart = false;
    switch (this.mode) {
      case "mqtt":
        this.framers[dir]!.gap(ts);
        return;
      case "tls":
        this.tls[dir]!.gap();
        return;
      case "upgrade":
      case "websocket": {
        const reader = this.ws[dir];
        if (reader) reader.gap(ts);
        else {
          // The HTTP head was lost: the frames after it can still be found.
          this.summary.skippedBytes += this.http[dir].length;
          this.http[dir] = new Uint8Array(0);
          if (!(dir === "s2c" && this.upgradeRefused)) this.startWebSocket(dir, true);
          this.framers[dir]!.gap(ts);
        }
        return;
      }
      default:
        return;
    }
  }

  // WebSocket -----------------------------------------------------------------------------------

  /** Reads the HTTP request (client) or response (server) that opens the WebSocket. */
  private upgradeHead(dir: Direction, bytes: Uint8Array, ts: number) {
    if (dir === "s2c" && this.upgradeRefused) return;
    this.http[dir] = join(this.http[dir], bytes);
    const head = readHttpHead(this.http[dir]);
    if (head === "more") return;
    if (head === "invalid") {
      this.problem(`the ${dir === "c2s" ? "upgrade request" : "upgrade response"} is not an HTTP head of at most 16 KiB`);
      this.http[dir] = new Uint8Array(0);
      if (dir === "s2c") this.upgradeRefused = true;
      else this.mode = "other";
      return;
    }
    const rest = this.http[dir].subarray(head.length);
    this.http[dir] = new Uint8Array(0);
    if (dir === "c2s" ? !this.acceptRequest(head) : !this.acceptResponse(head)) return;
    this.startWebSocket(dir, false);
    if (rest.length > 0) this.ws[dir]!.push(rest, ts);
  }

  private acceptRequest(head: HttpHead): boolean {
    const [method, path] = head.startLine.split(" ");
    const protocols = headerValues(head, "sec-websocket-protocol");
    const upgrade = method === "GET" && headerValues(head, "upgrade").includes("websocket");
    const mqtt = protocols.length > 0 ? protocols.some((p) => p.startsWith("mqtt")) : this.ports.ws.has(this.conn.server.port);
    if (!upgrade || !mqtt) {
      // Plain HTTP, or WebSocket for something other than MQTT.
      this.mode = "other";
      return false;
    }
    if (path) this.summary.webSocket!.path = path;
    return true;
  }

  private acceptResponse(head: HttpHead): boolean {
    const status = head.startLine.split(" ")[1];
    if (status !== "101") {
      this.problem(`the upgrade was refused: ${head.startLine}`);
      this.upgradeRefused = true;
      return false;
    }
    const protocol = head.headers.get("sec-websocket-protocol");
    if (protocol) this.summary.webSocket!.subprotocol = protocol;
    const deflate = headerValues(head, "sec-websocket-extensions").some((e) => e.startsWith("permessage-deflate"));
    for (const dir of DIRS) if (this.ws[dir]) this.ws[dir]!.deflate = deflate;
    this.deflate = deflate;
    return true;
  }

  private startWebSocket(dir: Direction, midStream: boolean) {
    const framer = this.framers[dir]!;
    const ws = this.summary.webSocket!;
    const reader = new WebSocketReader(dir === "c2s", {
      data: (bytes, ts) => framer.push(bytes, ts),
      gap: (ts) => framer.gap(ts),
      frame: (opcode) => {
        ws.frames[dir]++;
        if (opcode === 8) ws.controlFrames.close++;
        else if (opcode === 9) ws.controlFrames.ping++;
        else if (opcode === 10) ws.controlFrames.pong++;
      },
      problem: (message) => this.problem(`WebSocket ${dir}: ${message}`),
      skipped: (n) => (this.summary.skippedBytes += n),
    });
    reader.deflate = this.deflate;
    if (midStream) {
      reader.startMidStream();
      framer.startMidStream();
    }
    this.ws[dir] = reader;
  }

  // MQTT ----------------------------------------------------------------------------------------

  private framer(dir: Direction): MqttFramer {
    return new MqttFramer(() => this.version, {
      packet: (p) => this.framed(dir, p),
      malformed: (p, ts) => (this.version === undefined && this.pending.length > 0 ? this.pending.push({ dir, ts, as4: p, as5: p }) : this.emit(dir, ts, p)),
      skipped: (n) => (this.summary.skippedBytes += n),
    });
  }

  private framed(dir: Direction, f: FramedPacket) {
    const sender = dir === "c2s" ? "client" : "server";
    if (this.version === undefined && dir === "c2s" && f.bytes[0] === 0x10) {
      const level = connectLevel(f.bytes);
      if (level !== undefined) this.decideVersion(level === 5 ? 5 : level === 3 ? 3 : 4, false, `the CONNECT (protocol level ${level})`);
    }
    if (this.version !== undefined) {
      this.emit(dir, f.ts, decodePacket(f.bytes, { version: this.version, sender, packetLength: f.packetLength }));
      return;
    }
    const both = readBothWays(f.bytes, f.packetLength, sender);
    this.pending.push({ dir, ts: f.ts, as4: both.as4, as5: both.as5 });
    if (both.vote.kind === "decided") return this.decideVersion(both.vote.version, true, both.vote.evidence);
    if (both.vote.leans5) this.leans5++;
    if (this.pending.length >= MAX_UNDECIDED_PACKETS) {
      this.decideVersion(this.leans5 > 0 ? 5 : 4, true, `${this.pending.length} packets allowed by both 3.1.1 and 5${this.leans5 ? `, ${this.leans5} reading better as 5` : ""}`);
    }
  }

  private decideVersion(version: MqttVersion, inferred: boolean, evidence: string) {
    this.version = version;
    this.summary.version = version;
    this.summary.versionInferred = inferred;
    this.summary.versionEvidence = evidence;
    const pending = this.pending;
    this.pending = [];
    // In capture order: a framer joining mid-stream hands on its first packets late (releaseOrdered).
    pending.sort((a, b) => a.ts - b.ts);
    for (const p of pending) this.emit(p.dir, p.ts, version === 5 ? p.as5 : p.as4);
  }

  private emit(dir: Direction, ts: number, packet: DecodedPacket) {
    const s = this.summary;
    if (packet.type === "PUBLISH" && packet.topicAlias !== undefined) {
      const aliases = this.aliases[dir];
      if (packet.topic !== "") aliases.set(packet.topicAlias, packet.topic);
      else {
        const topic = aliases.get(packet.topicAlias);
        if (topic !== undefined) {
          packet.topic = topic;
          packet.topicFromAlias = true;
        }
      }
    }
    if (dir === "c2s") {
      if (this.c2sPackets === 0 && this.c2sFromStart && packet.type !== "CONNECT") this.problem("the client's first packet is not a CONNECT [MQTT-3.1.0-1]");
      if (this.c2sPackets > 0 && packet.type === "CONNECT" && s.clientId !== undefined) this.problem("a second CONNECT on the connection [MQTT-3.1.0-2]");
      this.c2sPackets++;
    }
    if (packet.type === "CONNECT" && s.clientId === undefined) {
      s.clientId = packet.clientId;
      s.protocolName = packet.protocolName;
      s.keepAlive = packet.keepAlive;
      s.cleanStart = packet.cleanStart;
      if (packet.will) s.will = { topic: packet.will.topic, qos: packet.will.qos, retain: packet.will.retain };
      if (packet.username !== undefined) s.username = packet.username;
      if (packet.passwordLength !== undefined) s.passwordLength = packet.passwordLength;
    } else if (packet.type === "CONNACK" && !s.connack) s.connack = packet.reason;
    else if (packet.type === "MALFORMED") {
      if (packet.error === "truncated") s.truncated++;
      else s.malformed++;
    }
    const counts = s.packets[dir];
    const key: MqttPacketType | "MALFORMED" = packet.type;
    counts[key] = (counts[key] ?? 0) + 1;
    const event = { conn: s.conn, dir, ts, transport: this.transport, packet };
    if (this.ordering.length > 0 || this.framers[dir === "c2s" ? "s2c" : "c2s"]?.holding) this.ordering.push(event);
    else this.out.packets.push(event);
  }

  /**
   * Passes on the packets held while the other direction searched for its first boundary, in
   * time order. A framer joining mid-stream takes a packet only once the next header confirms it,
   * so the client's first PUBLISH can come out after the PUBACK that answered it: held, the two
   * are put back in the order they were captured, and the flow is not taken for an orphan.
   */
  private releaseOrdered() {
    if (this.ordering.length === 0) return;
    if (this.ordering.length < MAX_ORDERING_PACKETS && DIRS.some((d) => this.framers[d]?.holding)) return;
    const held = this.ordering;
    this.ordering = [];
    // Stable: each direction's own order is kept where times are equal.
    held.sort((a, b) => a.ts - b.ts);
    for (const e of held) this.out.packets.push(e);
  }

  private problem(message: string) {
    if (this.summary.problems.length < MAX_CONNECTION_PROBLEMS) this.summary.problems.push(message);
    else this.summary.problemsOmitted++;
  }
}

/** The protocol level of a CONNECT from its first bytes, without its bridge bit; undefined if cut before it. */
function connectLevel(bytes: Uint8Array): number | undefined {
  const h = readFixedHeader(bytes, 0, bytes.length);
  if (h.kind !== "ok") return undefined;
  const at = h.headerLength;
  if (bytes.length < at + 2) return undefined;
  const level = bytes[at + 2 + ((bytes[at]! << 8) | bytes[at + 1]!)];
  return level === undefined ? undefined : level & 0x7f;
}

const CONNECT_NAMES = [Uint8Array.of(0, 4, 0x4d, 0x51, 0x54, 0x54), Uint8Array.of(0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70)];

/** Whether the client's first bytes are a CONNECT: type byte 0x10, a length, then "MQTT" or "MQIsdp". */
export function looksLikeConnect(p: Uint8Array): boolean | "more" {
  if (p[0] !== 0x10) return false;
  let at = 1;
  while (true) {
    if (at >= p.length) return "more";
    if (at > 4) return false;
    if (!(p[at++]! & 0x80)) break;
  }
  let more = false;
  for (const name of CONNECT_NAMES) {
    const n = Math.min(name.length, p.length - at);
    let same = true;
    for (let i = 0; i < n; i++) if (p[at + i] !== name[i]) same = false;
    if (same && n === name.length) return true;
    if (same) more = true;
  }
  return more ? "more" : false;
}

function startsWith(p: Uint8Array, text: string): boolean | "more" {
  const n = Math.min(p.length, text.length);
  for (let i = 0; i < n; i++) if (p[i] !== text.charCodeAt(i)) return false;
  return n === text.length ? true : "more";
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
