import "server-only";
/**
 * The embedded broker's rule for a CONNECT without a client id. MQTT 3.1.1 lets a server assign
 * one, but only to a client that keeps no session: "If the Client supplies a zero-byte ClientId
 * with CleanSession set to 0, the Server MUST respond to the CONNECT Packet with a CONNACK return
 * code 0x02 (Identifier rejected) and then close the Network Connection" [MQTT-3.1.3-8]. Aedes 1.2
 * assigns an id either way, and a session kept under an id the client never learns can never be
 * resumed. Aedes's `authenticate` sees the id it assigned, not the one sent, so `preConnect` reads
 * the CONNECT and `authenticate` answers: only its error sets a CONNACK return code.
 */
import type { AedesOptions, Client } from "aedes";
import type { AccessHandlers } from "./access";

/** [MQTT-3.2.2-3] CONNACK return code 2. */
export const IDENTIFIER_REJECTED = 2;

/** True when a CONNECT's client id must be refused [MQTT-3.1.3-8]; [MQTT-3.1.3-6] allows an empty one with clean session 1. */
export function refusesClientId(clientId: string, cleanSession: boolean): boolean {
  return clientId.length === 0 && !cleanSession;
}

export type ConnectHandlers = AccessHandlers & Required<Pick<AedesOptions, "preConnect">>;

/** `access` with the client id rule in front of its `authenticate`; publish and subscribe rules unchanged. */
export function withClientIdRule(access: AccessHandlers): ConnectHandlers {
  const refused = new WeakSet<Client>();
  return {
    ...access,
    preConnect(client, packet, done) {
      if (refusesClientId(packet.clientId ?? "", packet.clean !== false)) refused.add(client);
      done(null, true);
    },
    authenticate(client, username, password, done) {
      if (!refused.has(client)) return access.authenticate(client, username, password, done);
      done(Object.assign(new Error("identifier rejected: a zero-length client id needs clean session 1"), { returnCode: IDENTIFIER_REJECTED }), false);
    },
  };
}
