import "server-only";
/**
 * Who a TLS client's certificate says it is. The TLS listener records the subject's common name of
 * every certificate that verified against MQTT_TLS_CA, by connection; the access rules read it at
 * CONNECT (a device whose FLEETSCOPE_DEVICE_CREDENTIALS entry says `cert`).
 */
import type { TLSSocket } from "node:tls";

const names = new WeakMap<object, string>();

/** Records `socket`'s verified certificate name; true when the client may go on (no certificate, or a verified one). */
export function admitClientCertificate(socket: TLSSocket): boolean {
  const peer = socket.getPeerCertificate();
  // An empty object: the client sent no certificate, and logs in with a password as over TCP.
  if (!peer || Object.keys(peer).length === 0) return true;
  if (!socket.authorized) return false;
  const cn = peer.subject?.CN;
  if (typeof cn === "string" && cn !== "") names.set(socket, cn);
  return true;
}

/** The verified certificate's common name of the connection Aedes calls `client.conn`, if any. */
export function certificateName(conn: object | undefined): string | null {
  return (conn && names.get(conn)) ?? null;
}
