/**
 * What every packet decoder shares: the reader over the packet's body, its fixed-header flags
 * and the connection's version. One decoder per packet type, dispatched by `decodePacket`
 * (../mqtt-packet.ts); each reads its fields in order and throws a `Fault` at the first broken rule.
 */
import { Fault, type Reader } from "../mqtt-data";
import { packetIdRule, rule } from "../mqtt-rules";
import type { MqttPacket, MqttVersion } from "../mqtt-types";

export interface BodyContext {
  r: Reader;
  flags: number;
  version: MqttVersion;
  /** Which side sent it, when known: a few rules differ for clients and servers. */
  sender: "client" | "server" | undefined;
  remainingLength: number;
}

export type BodyDecoder = (ctx: BodyContext) => MqttPacket;

/** A Packet Identifier where a non-zero one is required (SUBSCRIBE, UNSUBSCRIBE, PUBLISH QoS > 0). */
export function nonZeroPacketId(ctx: BodyContext, what: string): number {
  const id = ctx.r.u16("packet identifier");
  if (id === 0) throw new Fault("malformed", packetIdRule(ctx.version, ctx.sender), `${what} with packet identifier 0`);
  return id;
}

/** A topic filter: a UTF-8 string, non-empty, wildcards only as whole levels. */
export function readFilter(ctx: BodyContext, field: string, check: (f: string) => { ok: true } | { ok: false; reason: string }): string {
  const filter = ctx.r.string(field);
  const result = check(filter);
  if (!result.ok) throw citedFault(result.reason, rule(ctx.version, "topicEmpty"));
  return filter;
}

/** A Fault from a reason that cites its rule in brackets (as lib/mqtt/topic.ts writes them). */
export function citedFault(reason: string, fallback: string): Fault {
  const cited = /\[MQTT-[^\]]+\]/.exec(reason);
  return new Fault("malformed", cited?.[0] ?? fallback, reason.replace(/\s*\[MQTT-[^\]]+\]/, ""));
}
