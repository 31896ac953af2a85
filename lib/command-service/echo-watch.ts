import "server-only";
/**
 * Commands confirmed by what the device publishes afterwards (its status, its telemetry, or what
 * its convention expects) rather than by a reply: which topics the open commands wait on, so the
 * service subscribes to each only while some command needs it, and whether a message confirms one.
 */
import { parseJsonObject, parseStatus } from "../devices/conventions/demo";
import type { ConventionId } from "../devices/convention";
import { asEpochMs } from "../devices/model";
import type { Interpreter } from "../devices/registry";
import { MAX_PARSED_PAYLOAD_BYTES } from "../bridge/decode";
import { conventionVerdict } from "../commands/convention-commands";
import { telemetryConfirms, type Command, type CommandInput } from "../commands/lifecycle";
import type { QoS } from "../mqtt/packet";

/** A message on a watched topic, as the service's client received it. */
export interface EchoMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: QoS;
}

/** The topic whose messages confirm `command`, or null when a reply does. */
export function echoTopicOf(command: Command): string | null {
  const rule = command.confirm;
  if (rule.kind === "echo") return `fleet/${command.site}/${command.device}/${rule.stream}`;
  if (rule.kind === "convention") return command.expect?.topic ?? null;
  return null;
}

/** The open commands waiting on each echo topic. */
export class EchoWatch {
  private readonly waiters = new Map<string, Set<string>>();

  /** Every topic some command waits on, to subscribe to again on each connect. */
  topics(): IterableIterator<string> {
    return this.waiters.keys();
  }

  /** Command `id` waits on `topic`; true when it is the first, and the topic is to be subscribed to. */
  add(topic: string, id: string): boolean {
    let ids = this.waiters.get(topic);
    const first = !ids;
    if (!ids) this.waiters.set(topic, (ids = new Set()));
    ids.add(id);
    return first;
  }

  /** Command `id` no longer waits on `topic`; true when none does, and the topic is to be unsubscribed from. */
  remove(topic: string, id: string): boolean {
    const ids = this.waiters.get(topic);
    ids?.delete(id);
    if (ids?.size !== 0) return false;
    this.waiters.delete(topic);
    return true;
  }

  /** The commands waiting on `topic` (live: one that finishes while this is read drops out). */
  waiting(topic: string): Iterable<string> {
    return this.waiters.get(topic) ?? [];
  }
}

/** What a live message on its echo topic says about `command` at `at`, or null if it does not confirm it. */
export function echoInput(command: Command, msg: EchoMessage, conventions: Interpreter, at: number): CommandInput | null {
  const rule = command.confirm;
  if (rule.kind === "convention") return conventionEcho(command, rule.convention, msg, conventions, at);
  if (rule.kind !== "echo") return null;
  if (rule.stream === "status") {
    return parseStatus(msg.payload.toString("utf8")) === rule.equals ? { type: "echo", at, note: `status ${rule.equals}` } : null;
  }
  const obj = parseJsonObject(msg.payload.toString("utf8"));
  return obj && telemetryConfirms(rule, command.args, obj) ? { type: "echo", at, note: `${rule.field} = ${command.args[rule.equalsArg]}` } : null;
}

function conventionEcho(command: Command, convention: ConventionId, msg: EchoMessage, conventions: Interpreter, at: number): CommandInput | null {
  const slot = conventions.slot(convention);
  if (!slot || !command.expect) return null;
  // Read as the bridge reads it: past the bridge's parse limit, the payload has no text.
  const text = msg.payload.length <= MAX_PARSED_PAYLOAD_BYTES ? msg.payload.toString("utf8") : null;
  const inbound = { topic: msg.topic, payload: msg.payload, text, retain: msg.retain, qos: msg.qos, ts: asEpochMs(at) };
  const verdict = conventionVerdict(slot.convention, slot.state, command.expect, inbound);
  return verdict ? { ...verdict, at } : null;
}
