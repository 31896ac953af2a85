import "server-only";
/**
 * With an external broker that browsers cannot reach over WebSocket (MQTT_URL is mqtt:// or
 * mqtts:// and MQTT_WS_URL unset), the server's own `/mqtt` relays each logged-in tab's WebSocket
 * to the broker over TCP: MQTT over WebSocket is the same byte stream in binary frames, so the
 * bytes pass unchanged both ways and the broker sees the tab's own CONNECT and credentials.
 * Without it the page connected to an endpoint that never answered.
 */
import type { IncomingMessage } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { WebSocketServer, type WebSocket } from "ws";

/** A tab this far behind stops the broker's side until it catches up (as slow readers on the embedded broker). */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface WsRelay {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function startWsRelay(brokerUrl: string, authorize: (req: IncomingMessage) => Promise<boolean>): WsRelay {
  const target = new URL(brokerUrl);
  const port = Number(target.port) || (target.protocol === "mqtts:" ? 8883 : 1883);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : (protocols.values().next().value ?? false)) });
  const open = new Set<{ ws: WebSocket; upstream: net.Socket }>();

  const relay = (ws: WebSocket) => {
    const upstream = target.protocol === "mqtts:" ? tls.connect({ host: target.hostname, port, servername: target.hostname }) : net.connect(port, target.hostname);
    const pair = { ws, upstream };
    open.add(pair);
    const end = () => {
      open.delete(pair);
      upstream.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    ws.on("message", (data: Buffer) => upstream.write(data));
    upstream.on("data", (chunk: Buffer) => {
      ws.send(chunk, () => {
        if (upstream.isPaused() && ws.bufferedAmount < LOW_WATER) upstream.resume();
      });
      if (ws.bufferedAmount > HIGH_WATER) upstream.pause();
    });
    ws.on("close", end);
    ws.on("error", end);
    upstream.on("close", end);
    upstream.on("error", end);
  };

  return {
    handleUpgrade(req, socket, head) {
      authorize(req).then(
        (ok) => {
          if (!ok) {
            socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            return;
          }
          wss.handleUpgrade(req, socket, head, relay);
        },
        () => socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
      );
    },
    close() {
      for (const { ws, upstream } of open) {
        ws.terminate();
        upstream.destroy();
      }
      open.clear();
      wss.close();
    },
  };
}
