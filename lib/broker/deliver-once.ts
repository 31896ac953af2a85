import "server-only";
/**
 * Each message once per client, and no message dropped for arriving late. Aedes 1.2 delivers a
 * message to a client once even when several of its subscriptions match [MQTT-3.3.5-1] by
 * remembering, per client, the highest broker counter it delivered and refusing any counter not
 * above it (its client.js `dedupe`). That assumes messages reach subscribers in the order they
 * were numbered, and they do not: a message is numbered as its publish starts and delivered after
 * its persistence steps (a retained message's store, a QoS 1 or 2 message's queueing for
 * persistent sessions, each a commit with the durable persistence), so a QoS 0 message published a
 * moment later overtakes it, and the earlier one was dropped for every client the later one had
 * reached: live messages missing in a browser tab, QoS 1 messages acknowledged to their publisher
 * and never delivered to the bridge (whose queued copy the drop also cleared).
 *
 * Every copy of one message to one client is delivered in the same synchronous pass of aedes'
 * emitter over the matching subscriptions (mqemitter calls them in a loop), so a copy is a
 * duplicate exactly when the delivery just before it, to the same client, carried the same broker
 * id and counter. That check replaces aedes' own, which is kept from ever refusing.
 */
import type { Client } from "aedes";

type Deliver = (packet: { brokerId?: string | null; brokerCounter?: number }, cb: () => void) => void;

/** In place of aedes' per-client `duplicates`: remembers nothing, so its check passes every delivery. */
const REMEMBERS_NOTHING: Record<string, number> = new Proxy(Object.create(null) as Record<string, number>, {
  get: () => undefined,
  set: () => true,
  deleteProperty: () => true,
});

/** From the broker's `preConnect`, before any subscription of `client` exists. */
export function deliverOnce(client: Client): void {
  const c = client as unknown as { deliver0: Deliver; deliverQoS: Deliver; duplicates: Record<string, number> };
  c.duplicates = REMEMBERS_NOTHING;
  let last: string | null = null;
  // aedes' deliverQoS hands a QoS 0 message to deliver0: that inner call is the same delivery.
  let inside = false;
  for (const name of ["deliver0", "deliverQoS"] as const) {
    const original = c[name];
    c[name] = (packet, cb) => {
      if (inside) return original(packet, cb);
      // Retained messages sent at SUBSCRIBE carry no broker id: aedes never dedupes them either.
      if (packet.brokerId) {
        const key = `${packet.brokerId}\u0000${packet.brokerCounter}`;
        if (key === last) return void setImmediate(cb);
        last = key;
      }
      inside = true;
      try {
        original(packet, cb);
      } finally {
        inside = false;
      }
    };
  }
}
