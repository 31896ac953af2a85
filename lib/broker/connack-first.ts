import "server-only";
/**
 * CONNACK first [MQTT-3.2.0-1]: "The first packet sent from the Server to the Client MUST be a
 * CONNACK Packet." Aedes 1.2 restores a persistent session's subscriptions (its connect handler's
 * restoreSubs) a few persistence turns before it writes the CONNACK (after storeWill), and its
 * `write` sends while the client is still connecting, so a message published in between reaches
 * the client ahead of the CONNACK. MQTT.js then deadlocks: it handles one packet at a time, the
 * early PUBLISH's PUBACK or PUBREC is queued until the client is connected, and the CONNACK behind
 * it is never handled ("connack timeout"). After a restart of the durable broker every device and
 * the bridge restore their sessions at once, so it is what a restart under load meets.
 *
 * Here a connecting client's deliveries wait until its CONNACK has been written, then go out in
 * the order they came. The messages themselves are already in the session's queue in the
 * persistence, as any delivery to a persistent session is; only the write waits.
 */
import type { Aedes, Client } from "aedes";

type Deliver = (packet: unknown, cb: () => void) => void;
interface Deliveries {
  deliver0: Deliver;
  deliverQoS: Deliver;
}

const held = new WeakMap<Client, { fn: Deliver; packet: unknown; cb: () => void }[]>();

/** From the broker's `preConnect`, before any subscription of `client` can be restored. */
export function holdDeliveriesUntilConnack(client: Client): void {
  const c = client as unknown as Deliveries & { connackSent: boolean };
  if (held.has(client)) return;
  const queue: { fn: Deliver; packet: unknown; cb: () => void }[] = [];
  held.set(client, queue);
  for (const name of ["deliver0", "deliverQoS"] as const) {
    const original = c[name];
    c[name] = (packet, cb) => {
      if (c.connackSent || !held.has(client)) return original(packet, cb);
      queue.push({ fn: original, packet, cb });
    };
  }
  // A client that goes before its CONNACK still calls back every delivery (mqemitter waits for them).
  client.conn.once("close", () => release(client));
}

/** Lets the held deliveries go, in order: on `connackSent`, or when the connection closes first. */
function release(client: Client): void {
  const queue = held.get(client);
  if (!queue) return;
  held.delete(client);
  for (const { fn, packet, cb } of queue) fn(packet, cb);
}

/** Releases each client's deliveries once its CONNACK is out. */
export function releaseOnConnack(broker: Aedes): void {
  broker.on("connackSent", (_packet, client) => release(client));
}
