import "server-only";
/**
 * Which command each packet on the service's own hop belongs to. A request PUBLISH is known by
 * its payload until it goes out; from then on by its packet id, which its PUBREC, PUBCOMP or
 * PUBACK carry, until its flow completes and MQTT.js may reuse the id.
 */
import type { IPublishPacket, Packet } from "mqtt";
import type { CommandInput } from "../commands/lifecycle";

export class PacketIds {
  /** The request payload object of each command, until its PUBLISH is seen going out. */
  private readonly byPayload = new Map<Buffer, string>();
  private readonly byMessageId = new Map<number, string>();
  /** Commands whose PUBLISH the broker answered with PUBACK (QoS 1; RabbitMQ takes QoS 2 so): their callback says no PUBCOMP. */
  private readonly pubacked = new Set<string>();

  /** Command `id` is being published with `payload`. */
  publishing(payload: Buffer, id: string): void {
    this.byPayload.set(payload, id);
  }

  /** The publish of `payload` has called back: it is no longer looked for by payload. */
  published(payload: Buffer): void {
    this.byPayload.delete(payload);
  }

  /** Whether the broker ended command `id`'s flow with a PUBACK, so its callback is no PUBCOMP; asked once. */
  takePubacked(id: string): boolean {
    return this.pubacked.delete(id);
  }

  /** What a packet the client sent or received says about a command, if it concerns one. */
  step(packet: Packet, dir: "send" | "receive", at: number): { id: string; input: CommandInput } | null {
    if (dir === "send" && packet.cmd === "publish") {
      const p = packet as IPublishPacket;
      const id = this.commandOf(p.payload) ?? (p.messageId !== undefined ? this.byMessageId.get(p.messageId) : undefined);
      if (!id || p.messageId === undefined) return null;
      this.byMessageId.set(p.messageId, id);
      return { id, input: { type: "published", at, dup: p.dup } };
    }
    if (dir !== "receive" || (packet.cmd !== "pubrec" && packet.cmd !== "pubcomp" && packet.cmd !== "puback")) return null;
    const messageId = packet.messageId;
    const id = messageId === undefined ? undefined : this.byMessageId.get(messageId);
    if (!id || messageId === undefined) return null;
    if (packet.cmd === "pubrec") return { id, input: { type: "pubrec", at } };
    // Packet ids are reused once a flow completes.
    this.byMessageId.delete(messageId);
    if (packet.cmd === "pubcomp") return null;
    // A PUBACK ends the flow at QoS 1: for a QoS 2 command, the broker downgraded it (RabbitMQ does).
    this.pubacked.add(id);
    return { id, input: { type: "puback", at } };
  }

  /**
   * The command whose request `payload` is. MQTT.js sends what was published while it was offline
   * (at start, or between reconnects) from its store, which holds a copy of the packet, so the
   * payload is then equal to the one published, not the same Buffer.
   */
  private commandOf(payload: IPublishPacket["payload"]): string | undefined {
    if (!Buffer.isBuffer(payload)) return undefined;
    const same = this.byPayload.get(payload);
    if (same !== undefined) return same;
    for (const [published, id] of this.byPayload) if (published.equals(payload)) return id;
    return undefined;
  }
}
