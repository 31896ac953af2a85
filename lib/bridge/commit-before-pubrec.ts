import "server-only";
/**
 * MQTT.js's store for incoming QoS 2 messages, made durable. MQTT.js sends PUBREC as soon as
 * `put` calls back and hands the message to `handleMessage` only at PUBREL (docs/architecture.md, gotcha 2);
 * with its in-memory store a crash between the two loses the message, since the broker then only
 * resends PUBREL. Here `put` calls back only after `commit` has made the message durable, so
 * PUBREC means stored. After a restart `get` finds nothing and MQTT.js answers the PUBREL with
 * PUBCOMP without delivering again, which is right: the row is already committed.
 */
import { Readable } from "node:stream";
import type { IPublishPacket, IStore, Packet } from "mqtt";

type Callback = (error?: Error, packet?: Packet) => void;

export class CommitBeforePubrec implements IStore {
  /** Committed, awaiting PUBREL: a resent PUBLISH (DUP) for one of these is not stored twice. */
  private readonly committed = new Map<number, Packet>();

  constructor(private readonly commit: (packet: IPublishPacket) => Promise<void>) {}

  put(packet: Packet, cb: (error?: Error) => void): this {
    const id = packet.messageId;
    if (id === undefined || this.committed.has(id)) {
      cb();
      return this;
    }
    // MQTT.js ignores an error passed here and would send PUBREC anyway, so on failure there is
    // no callback at all: no PUBREC, and the broker resends the PUBLISH on the next connection.
    this.commit(packet as IPublishPacket).then(
      () => {
        this.committed.set(id, packet);
        cb();
      },
      () => undefined,
    );
    return this;
  }

  get(packet: Pick<Packet, "messageId">, cb: Callback): this {
    const found = packet.messageId === undefined ? undefined : this.committed.get(packet.messageId);
    if (found) cb(undefined, found);
    else cb(new Error("no such packet"));
    return this;
  }

  del(packet: Pick<Packet, "messageId">, cb: Callback): this {
    if (packet.messageId !== undefined) this.committed.delete(packet.messageId);
    cb();
    return this;
  }

  /** Nothing to replay: MQTT.js streams only its outgoing store on reconnect. */
  createStream(): ReturnType<IStore["createStream"]> {
    // MQTT.js types this as readable-stream's Readable; Node's own is what it consumes at run time.
    return Readable.from([]) as unknown as ReturnType<IStore["createStream"]>;
  }

  close(cb: (error?: Error) => void): void {
    this.committed.clear();
    cb();
  }
}
