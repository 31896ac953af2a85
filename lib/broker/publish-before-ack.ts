import "server-only";
/**
 * With the durable persistence, a QoS 1 or 2 PUBLISH is acknowledged only once it is published:
 * queued, committed, for every persistent session it goes to, so a crash of the process at any
 * instant after the PUBACK or PUBREC loses nothing its publisher was told is safe.
 *
 * Aedes 1.2 (its lib/handlers/publish.js) writes a QoS 1 PUBACK first and publishes after, so a
 * crash in between lost the message. For QoS 2 it commits the packet id (incomingStorePacket)
 * before it publishes, so a crash in between left the id marked received without the message
 * queued, and the publisher's resent PUBLISH was answered as a duplicate and never published.
 *
 * Both are turned around from `authorizePublish`, which aedes calls with the PUBLISH before either
 * step. Once access allows it, the message is published here, and only then does aedes go on: for
 * QoS 1 it writes the PUBACK and its own publish of the packet is skipped; for QoS 2 it finds the
 * packet id kept, answers PUBREC as to a resend, and publishes nothing more. A QoS 2 packet id is
 * kept in the transaction that queues the message for persistent sessions (sqlite-persistence.ts
 * `keepIncomingWithQueue`): after a crash both are there or neither is, so the resent PUBLISH is
 * either answered as a duplicate or published, once [MQTT-4.3.3-2].
 */
import type { Aedes, Client, PublishPacket } from "aedes";
import type { SqlitePersistence } from "./persistence/sqlite-persistence";

type Publish = (packet: PublishPacket, client: Client | null, done: (err?: Error | null) => void) => void;

/** Numbers `packet` as aedes would as its publish starts (aedes-packet keeps a number a packet already carries). */
function numbered(broker: Aedes, packet: PublishPacket, messageId: number): PublishPacket & { messageId: number; brokerId: string; brokerCounter: number } {
  const counter = broker as unknown as { counter: number };
  return Object.assign(packet, { messageId, brokerId: broker.id, brokerCounter: ++counter.counter });
}

export function publishBeforeAck(broker: Aedes, persistence: SqlitePersistence): void {
  const publish = broker.publish.bind(broker) as unknown as Publish;
  const authorize = broker.authorizePublish;
  /** QoS 1 PUBLISHes published here whose PUBACK aedes is about to write. */
  const published = new WeakSet<PublishPacket>();

  broker.publish = ((packet: PublishPacket, client: Client | null | ((err?: Error) => void), done?: (err?: Error) => void) => {
    if (!published.delete(packet)) return (publish as (...args: unknown[]) => void)(packet, client, done);
    (typeof client === "function" ? client : done)?.();
  }) as Aedes["publish"];

  broker.authorizePublish = (client, packet, done) =>
    authorize.call(broker, client, packet, (err) => {
      // Wills (no packet id) and QoS 0 go on as aedes has them.
      const messageId = packet.messageId;
      if (err || !client || packet.qos === 0 || messageId === undefined) return done(err);
      if (packet.qos === 1) {
        return publish(packet, client, (failed) => {
          if (!failed) published.add(packet);
          done(failed);
        });
      }
      persistence.incomingGetPacket(client, { messageId }).then(
        () => done(null), // a resend of one already published: aedes answers PUBREC
        () => {
          const message = numbered(broker, packet, messageId);
          persistence.keepIncomingWithQueue(client, message);
          publish(message, client, (failed) => {
            if (failed) persistence.forgetIncoming(message);
            done(failed);
          });
        },
      );
    });
}
