import "server-only";
/**
 * The embedded broker's TLS listener (MQTT_TLS_PORT). A client certificate is asked for only with
 * a CA to check it by (MQTT_TLS_CA), and is optional even then: a device with a password connects
 * as over TCP, one whose certificate verifies may log in by its CN (client-certificate.ts), and
 * one whose certificate does not verify is refused before any MQTT, on one log line.
 */
import { createServer, type Server, type TLSSocket } from "node:tls";
import { logger } from "../log/logger";
import { admitClientCertificate } from "./client-certificate";

/** PEM certificate and key; `ca` set, clients may log in with a certificate it signed. */
export interface BrokerTls {
  port: number;
  cert: string;
  key: string;
  ca?: string;
}

export function tlsListener(tls: BrokerTls, accept: (socket: TLSSocket) => void): Server {
  const server = createServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}) }, (socket) => {
    if (admitClientCertificate(socket)) return accept(socket);
    logger("broker").warn({ address: socket.remoteAddress, reason: String(socket.authorizationError) }, "broker refused a TLS connection: its client certificate did not verify against MQTT_TLS_CA");
    socket.destroy();
  });
  // A handshake that fails (a client that does not trust this certificate) is the client's to report.
  server.on("tlsClientError", () => undefined);
  return server;
}
