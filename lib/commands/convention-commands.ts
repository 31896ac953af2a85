/**
 * Commands of devices in other conventions than the demo one: the convention says which a device
 * takes (DeviceFacts.commands, kept in the store's meta), how a request is written (a Zigbee2MQTT
 * `/set`, a Tasmota `cmnd/…`, a Sparkplug DCMD) and what confirms it (the state echoed back, or a
 * reply). Pure: the service sends and watches.
 */
import type { ArgsJsonSchema, CommandFact, Convention, ConventionId, DeviceFacts, Expectation, Inbound, Outbound } from "../devices/convention";
import type { DeviceMeta } from "../devices/model";
import { NO_ARGS, type ArgProperty, type Args, type ArgsSchema } from "../devices/command-args";
import { DEFAULT_TIMEOUT_MS, type CommandDefinition } from "./definitions";

/** A request as the command log keeps it, so a command still queued after a restart goes out as written. */
export interface StoredRequest {
  topic: string;
  payload: string;
  encoding: "utf8" | "base64";
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** The definitions a convention's device takes, by name. */
export function conventionDefinitions(convention: ConventionId, meta: DeviceMeta): CommandDefinition[] {
  return (meta.commands ?? [])
    .map((c) => ({
      name: c.name,
      description: c.description ?? "",
      args: argsSchemaOf(c.args),
      timeoutMs: DEFAULT_TIMEOUT_MS,
      confirm: { kind: "convention" as const, convention, confirm: c.confirm },
      // Whether a sleeping or unreachable device gets it is the broker's and the device's business.
      whenOffline: "send" as const,
      source: "kind" as const,
      topic: c.topic,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The args form's schema from a convention's: enums of booleans become plain booleans. */
function argsSchemaOf(s: ArgsJsonSchema): ArgsSchema {
  const properties: Record<string, ArgProperty> = {};
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const values = p.enum?.filter((v): v is string | number => typeof v !== "boolean");
    properties[name] = {
      type: p.type,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
      ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
      ...(values && values.length > 0 && p.type !== "boolean" ? { enum: values } : {}),
    };
  }
  const required = (s.required ?? []).filter((r) => Object.hasOwn(properties, r));
  return Object.keys(properties).length === 0 ? NO_ARGS : { type: "object", properties, required, additionalProperties: false };
}

/** The request and what will confirm it, or why it cannot be written. */
export function encodeConventionCommand(
  convention: Convention<unknown>,
  state: unknown,
  device: DeviceFacts,
  fact: CommandFact,
  args: Args,
  id: string,
): { request: StoredRequest; expect: Expectation } | { error: string } {
  if (!convention.encodeCommand) return { error: `the ${convention.label} convention sends no commands` };
  try {
    const { request, expect } = convention.encodeCommand(device, fact, args, id, state);
    return { request: storedRequest(request), expect };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function storedRequest(o: Outbound): StoredRequest {
  const text = typeof o.payload === "string";
  return {
    topic: o.topic,
    payload: text ? (o.payload as string) : bytesToBase64(o.payload as Uint8Array),
    encoding: text ? "utf8" : "base64",
    qos: o.qos,
    retain: o.retain,
  };
}

export function requestBytes(r: StoredRequest): Buffer {
  return Buffer.from(r.payload, r.encoding);
}

function bytesToBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

/** Whether a message settles the command, in the lifecycle's words. */
export function conventionVerdict(
  convention: Convention<unknown>,
  state: unknown,
  expect: Expectation,
  msg: Inbound,
): { type: "echo"; note: string } | { type: "reply"; ok: boolean; result?: unknown; error?: string } | null {
  const verdict = convention.confirms?.(expect, msg, state) ?? null;
  if (!verdict) return null;
  if (!verdict.ok) return { type: "reply", ok: false, error: verdict.error };
  if (expect.kind === "echo") return { type: "echo", note: `${expect.path.join(".") || msg.topic} = ${String(expect.value)}` };
  return { type: "reply", ok: true, result: verdict.result };
}
