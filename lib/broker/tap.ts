import "server-only";
/**
 * A packet tap on one broker connection: both directions of the byte stream go through an MQTT
 * framer before (incoming) or as (outgoing) Aedes handles them, and every packet is recorded on
 * the trace hub under the client id its CONNECT gave. Reads are observed through a `data`
 * listener, which leaves Aedes's own `readable`/`read()` flow in charge [Node stream docs:
 * 'readable' takes precedence]; writes through a wrapper on `write`.
 */
import type { Duplex } from "node:stream";
import { MqttFramer, type PacketPeek } from "../mqtt/framer";
import type { TraceHub } from "../qos/trace-hub";

export function tapConnection(stream: Duplex, hub: TraceHub): void {
  const incoming = new MqttFramer();
  const outgoing = new MqttFramer();
  // Until CONNECT names the client; a connection that never sends one is traced under this.
  let hop = `conn-${Math.random().toString(36).slice(2, 8)}`;
  // The hub admits (or skips, when sampling) each packet before the framer describes it.
  const admitIn = (peek: PacketPeek) => peek.type === "connect" || hub.admit(hop, "client", peek);
  const admitOut = (peek: PacketPeek) => hub.admit(hop, "server", peek);
  stream.on("data", (chunk: Buffer) => {
    if (incoming.failed) return;
    for (const p of incoming.push(chunk, admitIn)) {
      const t = Date.now();
      if (p.type === "connect") {
        hop = p.clientId || hop;
        hub.session(hop, p.cleanSession ?? true, t);
        hub.record(hop, "client", p, t);
      } else hub.record(hop, "client", p, t, true);
    }
  });
  const write = stream.write;
  stream.write = function tappedWrite(this: Duplex, chunk: unknown, ...rest: unknown[]) {
    if (!outgoing.failed && (chunk instanceof Uint8Array || typeof chunk === "string")) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      for (const p of outgoing.push(bytes, admitOut)) hub.record(hop, "server", p, Date.now(), true);
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Duplex["write"];
}
