import "server-only";
/**
 * The embedded broker (Aedes, MQTT 3.1.1): a TCP listener, and MQTT over WebSocket on the
 * HTTP server's `/mqtt` path so browsers reach it on the page's own origin.
 */
import { createServer, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes } from "aedes";
import { WebSocketServer, createWebSocketStream, type WebSocket } from "ws";
import type { TraceHub } from "../trace/hub";
import type { AccessHandlers } from "./access";
import { SqlitePersistence } from "./persistence/sqlite-persistence";
import { backupSocketPath, serveBrokerBackups, type BrokerBackups } from "./backup-socket";
import { withClientIdRule } from "./client-id";
import { holdDeliveriesUntilConnack, releaseOnConnack } from "./connack-first";
import { deliverOnce } from "./deliver-once";
import { publishBeforeAck } from "./publish-before-ack";
import type { QoS } from "../mqtt/packet";
import { forwardsTo, qos0Drops, WS_WRITE_HIGH_WATER_MARK } from "./slow-readers";
import { tapConnection } from "./tap";
import { frameEnds } from "./ws-frames";
import { logger } from "../log/logger";
import { listenNear } from "./listen";
import { tlsListener, type BrokerTls } from "./tls-listener";

export const MQTT_WS_PATH = "/mqtt";

export interface EmbeddedBroker {
  /** The TCP port actually bound. */
  tcpPort: number;
  /** Set when the requested port was taken and another was bound instead. */
  requestedPortTaken: boolean;
  /** The TLS port bound, and whether the one asked for was taken; null without a TLS listener. */
  tls: { port: number; requestedPortTaken: boolean } | null;
  /** Hands an HTTP upgrade on `/mqtt` to the broker. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  /** QoS 0 messages this broker dropped for WebSocket clients too far behind (lib/broker/slow-readers.ts). */
  droppedQos0(): number;
  close(): Promise<void>;
}

/**
 * What Aedes writes to a WebSocket client leaves in few frames (lib/broker/ws-frames.ts). Aedes
 * writes a PUBLISH as five pieces (header, length, topic length, topic, payload), and ws would
 * send each as a frame; packets are forwarded one by one as well, so even whole packets went out
 * one or two a frame. Every write starts (or joins) a cork released at the end of this turn of
 * the event loop (setImmediate: after the I/O callbacks that produced the writes), so what the
 * broker forwards for one batch of publisher reads arrives as a handful of frames, and adds no
 * timer's worth of latency. Writes buffered while a send is in flight join the next batch too.
 */
function sendInFrames(stream: Duplex, ws: WebSocket): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as typeof stream.write;
  stream._writev = (chunks, callback) => {
    const buffers = chunks.map(({ chunk, encoding }) => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding)));
    let start = 0;
    const ends = frameEnds(buffers.map((b) => b.length));
    // ws sends in order; the stream's next batch waits for the last frame of this one.
    ends.forEach((end, i) => {
      const frame = end - start === 1 ? buffers[start]! : Buffer.concat(buffers.slice(start, end));
      start = end;
      ws.send(frame, i === ends.length - 1 ? callback : undefined);
    });
  };
}

/**
 * Answers backup requests for the broker's file, on the socket `backupSocketPath` names. A broker
 * that cannot open it still runs, and says so: only `npm run backup` needs it.
 */
async function serveBackups(file: string, persistence: SqlitePersistence): Promise<BrokerBackups | null> {
  const socketPath = backupSocketPath(file);
  try {
    return await serveBrokerBackups({ brokerFile: file, socketPath, backup: (destination) => persistence.backup(destination) });
  } catch (err) {
    logger("broker").warn(`broker backups unavailable: cannot listen on ${socketPath}: ${(err as Error).message}`);
    return null;
  }
}

/** A broker started without rules lets nobody in: access is something to decide, never a default to forget. */
export const defaultAccess: AccessHandlers = {
  authenticate: (_client, _username, _password, done) => done(Object.assign(new Error("no access rules configured"), { returnCode: 5 as const }), false),
  authorizePublish: (_client, _packet, done) => done(new Error("no access rules configured")),
  authorizeSubscribe: (_client, _sub, done) => done(null, null),
};

/** Where the broker keeps sessions, queues and retained messages: a SQLite file, or memory (lost at exit). */
export type BrokerPersistence = { kind: "sqlite"; file: string } | { kind: "memory" };

/**
 * `trace`: every connection's packets go to this hub (the Wire view and Delivery panels).
 * `access`: who may connect, publish and subscribe (lib/broker/access.ts); nobody by default.
 * `persistence`: lib/broker/persistence/; memory (aedes' own) unless given.
 * `tls`: a TLS listener beside the TCP one (MQTT_TLS_PORT).
 */
export async function startEmbeddedBroker(opts: { tcpPort: number; host?: string; trace?: TraceHub; access?: AccessHandlers; persistence?: BrokerPersistence; tls?: BrokerTls }): Promise<EmbeddedBroker> {
  // [MQTT-3.1.3-8] before any access rule: lib/broker/client-id.ts.
  const access = withClientIdRule(opts.access ?? defaultAccess);
  // Bytes waiting to be sent to each WebSocket connection, by the stream Aedes writes to. TCP
  // clients are not in it: devices and services read as fast as they choose, and back-pressure
  // on them stays as it was.
  const backlogs = new WeakMap<object, () => number>();
  let dropped = 0;
  const persistence = opts.persistence?.kind === "sqlite" ? new SqlitePersistence({ file: opts.persistence.file }) : undefined;
  const broker = await Aedes.createBroker({
    persistence,
    // [MQTT-3.2.0-1]: a restored session's messages wait for its CONNACK (connack-first.ts).
    preConnect: (client, packet, done) => {
      // Before the CONNACK hold, which then releases into it (deliver-once.ts).
      deliverOnce(client);
      holdDeliveriesUntilConnack(client);
      access.preConnect(client, packet, done);
    },
    authenticate: access.authenticate,
    authorizePublish: access.authorizePublish,
    authorizeSubscribe: access.authorizeSubscribe,
    // Called once per message and subscriber before Aedes writes it.
    authorizeForward: (client, packet) => {
      const backlog = backlogs.get(client.conn);
      if (!backlog || forwardsTo(packet.qos as QoS, backlog())) return packet;
      dropped++;
      qos0Drops().count++;
      return null;
    },
  });
  releaseOnConnack(broker);
  // What the durable broker acknowledges is on disk first; memory keeps aedes' own order.
  if (persistence) publishBeforeAck(broker, persistence);
  const host = opts.host ?? "0.0.0.0";
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    // Small packets out at once: with Nagle's algorithm an acknowledgement waited for the peer's
    // delayed ACK of the one before, ~40 ms on a QoS 1 round trip.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (opts.trace) tapConnection(socket, opts.trace);
    broker.handle(socket);
  };
  const tcp = createServer(accept);
  const { port: tcpPort, taken: requestedPortTaken } = await listenNear(tcp, opts.tcpPort, host);
  // MQTT over TLS (MQTT_TLS_PORT): the same broker behind a TLS handshake (tls-listener.ts).
  const tls = opts.tls ? tlsListener(opts.tls, accept) : null;
  const tlsBound = tls && opts.tls ? await listenNear(tls, opts.tls.port, host) : null;

  const wss = new WebSocketServer({ noServer: true });
  wss.on("connection", (ws, req) => {
    const stream = createWebSocketStream(ws, { writableHighWaterMark: WS_WRITE_HIGH_WATER_MARK });
    sendInFrames(stream, ws);
    // The stream's buffer, plus what ws has handed to the socket and the kernel has not taken.
    backlogs.set(stream, () => stream.writableLength + ws.bufferedAmount);
    // A browser that vanishes mid-frame must not take the server down.
    stream.on("error", () => stream.destroy());
    if (opts.trace) tapConnection(stream, opts.trace);
    broker.handle(stream, req);
  });

  // `npm run backup` asks this process for a copy of the file it holds locked (lib/broker/backup-socket.ts).
  const backups = opts.persistence?.kind === "sqlite" && persistence ? await serveBackups(opts.persistence.file, persistence) : null;

  return {
    tcpPort,
    requestedPortTaken,
    tls: tlsBound && { port: tlsBound.port, requestedPortTaken: tlsBound.taken },
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    clientCount: () => broker.connectedClients,
    droppedQos0: () => dropped,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      if (tls) await new Promise<void>((r) => tls.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
      await backups?.close();
      // After the clients are gone: what their closing queued (wills removed) is committed first.
      await persistence?.destroy();
    },
  };
}
