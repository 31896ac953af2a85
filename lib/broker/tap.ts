import "server-only";
/**
 * A packet tap on one broker connection: both directions of the byte stream go through an MQTT
 * framer before (incoming) or as (outgoing) Aedes handles them, and every packet is recorded on
 * the trace hub under the client id its CONNECT gave. Reads are observed through a `data`
 * listener, which leaves Aedes's own `readable`/`read()` flow in charge [Node stream docs:
 * 'readable' takes precedence]; writes through a wrapper on `write`.
 * This runs for every packet the broker moves, so it allocates nothing per packet of its own:
 * the framer hands over one reused packet, and a chunk's packets share one timestamp.
 */
import type { Duplex } from "node:stream";
import { MqttFramer, type WirePacket } from "../mqtt/framer";
import type { TraceHub } from "../trace/hub";

export function tapConnection(stream: Duplex, hub: TraceHub): void {
  const incoming = new MqttFramer();
  const outgoing = new MqttFramer();
  // Until CONNECT names the client; a connection that never sends one is traced under this.
  let hop = `conn-${Math.random().toString(36).slice(2, 8)}`;
  // Read once per chunk, and only when the chunk completes a packet (most writes complete none:
  // Aedes writes a PUBLISH's header, topic, id and payload apart).
  let stamp = 0;
  const now = () => stamp || (stamp = Date.now());
  const onIncoming = (p: WirePacket) => {
    const t = now();
    if (p.type === "connect") {
      hop = p.clientId || hop;
      hub.session(hop, p.cleanSession ?? true, t);
      hub.record(hop, "client", p, t);
    } else if (hub.admit(hop, "client", p, t)) hub.record(hop, "client", p, t, true);
  };
  const onOutgoing = (p: WirePacket) => {
    const t = now();
    if (hub.admit(hop, "server", p, t)) hub.record(hop, "server", p, t, true);
  };
  stream.on("data", (chunk: Buffer) => {
    if (incoming.failed) return;
    stamp = 0;
    incoming.feed(chunk, onIncoming);
  });
  const write = stream.write;
  // Named parameters rather than a rest array: this runs several times per packet.
  stream.write = function tappedWrite(this: Duplex, chunk: unknown, encoding?: unknown, cb?: unknown) {
    if (!outgoing.failed) {
      stamp = 0;
      if (chunk instanceof Uint8Array) outgoing.feed(chunk, onOutgoing);
      else if (typeof chunk === "string") {
        if (typeof encoding !== "string" || encoding === "utf8" || encoding === "utf-8") outgoing.feedString(chunk, onOutgoing);
        else outgoing.feed(Buffer.from(chunk, encoding as BufferEncoding), onOutgoing);
      }
    }
    return (write as (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean).call(this, chunk, encoding, cb);
  } as Duplex["write"];
}
