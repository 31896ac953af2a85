/**
 * The Homie convention, versions 4 and 5 (https://homieiot.github.io, homieiot/convention).
 *
 * - v4 describes a device one retained attribute per topic: `homie/<device>/$name`, `$state`,
 *   `$nodes`, `<node>/<prop>/$datatype`, `$unit`, `$settable`, `$format`, `$retained`; values on
 *   `homie/<device>/<node>/<prop>`, requests on `…/<prop>/set`.
 * - v5 lives under `homie/5/<device>/…`: one retained `$description` JSON holds the nodes and
 *   properties, `$state` has no `alert` (alerts are `$alert/<id>`), `$log/<level>` carries log
 *   lines, `…/<prop>/$target` an accepted set value, and devices form root/parent/child trees
 *   where the root's LWT `lost` also means every child is lost.
 *
 * Decisions (the convention leaves them to the controller):
 * - Device ids: `homie.<id>` for v4, `homie.5.<id>` for v5, so a device id used in both versions
 *   is two devices (they are two separate sets of topics). deviceIdFrom escapes `.`, so no v4 id
 *   reads as a v5 one. A root domain other than `homie` adds a `$<root>` part.
 * - Liveness from `$state`: ready, sleeping and (v4) alert are online (a sleeping device said it
 *   would be quiet; it is not lost), disconnected and lost offline, init unknown.
 * - Values that arrive before their datatype is known (retained replays come in any order) wait
 *   in a bounded buffer per device, latest per property, and are read when the datatype arrives.
 * - Only integer, float (as they are) and boolean (1/0) properties are measurements; enum,
 *   string, color, datetime, duration and json values belong to the device but chart nothing.
 * - group: the root domain for root devices, the root device's id for v5 children.
 *
 * Pure: state is kept in the object the caller holds, every collection bounded below.
 */
import { z } from "zod";
import {
  deviceIdFrom,
  jsonObjectOf,
  numberOf,
  type ArgsJsonSchema,
  type CommandFact,
  type Convention,
  type DeviceEventFact,
  type DeviceFacts,
  type EventLevel,
  type Expectation,
  type Inbound,
  type Interpretation,
  type Liveness,
  type Measurement,
  type Outbound,
} from "../convention";
import type { DeviceId, EpochMs } from "../model";

export const HOMIE_DEFAULT_ROOT = "homie";
/** Devices remembered per root domain, v4 and v5 together. */
export const HOMIE_MAX_DEVICES = 2000;
/** Nodes per device. */
export const HOMIE_MAX_NODES = 64;
/** Properties per device, over all its nodes. */
export const HOMIE_MAX_PROPERTIES = 256;
/** Values per device waiting for their property's datatype. */
export const HOMIE_MAX_PENDING_VALUES = 64;
/** Open `$alert`s per device (v5). */
export const HOMIE_MAX_ALERTS = 32;
/** Characters kept of a name. */
export const HOMIE_MAX_NAME = 200;
/** Characters kept of a log line or alert text. */
export const HOMIE_MAX_TEXT = 1000;
/** Enum values offered as a command's choices (lib/devices/command-args.ts takes at most 100). */
const MAX_ENUM_CHOICES = 100;

export type HomieVersion = 4 | 5;
export type HomieDeviceState = "init" | "ready" | "disconnected" | "sleeping" | "lost" | "alert";
export type HomieDatatype = "integer" | "float" | "boolean" | "string" | "enum" | "color" | "datetime" | "duration" | "json";

const DATATYPES = new Set<string>(["integer", "float", "boolean", "string", "enum", "color", "datetime", "duration", "json"]);
const V4_STATES = new Set<string>(["init", "ready", "disconnected", "sleeping", "lost", "alert"]);
// v5 dropped `alert` from $state: alerts became their own topics.
const V5_STATES = new Set<string>(["init", "ready", "disconnected", "sleeping", "lost"]);

export interface HomieProperty {
  name: string | null;
  /** Null while a v4 device has not said it (or said one this convention does not know). */
  datatype: HomieDatatype | null;
  unit: string | null;
  format: string | null;
  settable: boolean;
  retained: boolean;
  /** The last value read, so a `$unit` that comes after it (a broker's retained replay is in topic order) still reaches it. */
  last?: { text: string; topic: string };
}

export interface HomieDevice {
  version: HomieVersion;
  /** The native device id, the topic level. */
  id: string;
  name: string | null;
  state: HomieDeviceState | null;
  /** v5: the root device's id when this device is a child. */
  root: string | null;
  /** v5: the description's `type`. */
  model: string | null;
  /** v5: a `$description` was read (values of properties it does not list are refused). */
  described: boolean;
  /** v4: the `$nodes` list. */
  nodes: string[];
  /** `<node>/<prop>` → property. */
  properties: Map<string, HomieProperty>;
  /** `<node>/<prop>` → the latest value that came before the property's datatype. */
  pending: Map<string, { text: string; topic: string }>;
  /** v5: open alerts by id, so a replayed alert is not a new alarm. */
  alerts: Map<string, string>;
}

export interface HomieState {
  /** By `<version>/<native id>`. */
  devices: Map<string, HomieDevice>;
}

interface Ctx {
  root: string;
  /** deviceIdFrom parts before the version and native id. */
  idParts: string[];
}

interface HomieTopic {
  version: HomieVersion;
  device: string;
  /** The levels after the device id. */
  rest: string[];
}

/**
 * `<root>/5/<device>/…` is v5 and `<root>/<device>/…` v4. A v4 device whose id is `5` is read
 * only by its own attributes (`<root>/5/$name`): its node topics would read as a v5 device's.
 */
export function parseHomieTopic(topic: string, root = HOMIE_DEFAULT_ROOT): HomieTopic | null {
  const levels = topic.split("/");
  if (levels[0] !== root || levels.length < 3) return null;
  const v5 = levels[1] === "5" && levels.length >= 4;
  const device = (v5 ? levels[2] : levels[1])!;
  const rest = levels.slice(v5 ? 3 : 2);
  // `$broadcast` and other `$` levels are not devices; an empty level is no Homie id.
  if (device === "" || device.startsWith("$") || rest.some((l) => l === "")) return null;
  return { version: v5 ? 5 : 4, device, rest };
}

const keyOf = (version: HomieVersion, id: string) => `${version}/${id}`;

function idOf(ctx: Ctx, version: HomieVersion, native: string): DeviceId {
  return version === 5 ? deviceIdFrom("homie", ...ctx.idParts, "5", native) : deviceIdFrom("homie", ...ctx.idParts, native);
}

function baseTopicOf(ctx: Ctx, version: HomieVersion, native: string): string {
  return version === 5 ? `${ctx.root}/5/${native}` : `${ctx.root}/${native}`;
}

function newDevice(version: HomieVersion, id: string): HomieDevice {
  return { version, id, name: null, state: null, root: null, model: null, described: false, nodes: [], properties: new Map(), pending: new Map(), alerts: new Map() };
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/**
 * A payload as Homie text. v5 sends an empty string as the single byte 0x00, since an empty MQTT
 * payload deletes a retained topic; null for an empty payload (deleted, unset).
 */
function homieText(m: Inbound, version: HomieVersion): string | null {
  if (m.payload.byteLength === 0) return null;
  const text = m.text ?? "";
  return version === 5 && text === "\u0000" ? "" : text;
}

// ---- liveness ---------------------------------------------------------------------------------

function statusOf(state: HomieDeviceState): Liveness["status"] {
  if (state === "ready" || state === "sleeping" || state === "alert") return "online";
  if (state === "disconnected" || state === "lost") return "offline";
  return "unknown";
}

function livenessOf(state: HomieDeviceState, since: EpochMs, viaRoot: string | null): Liveness {
  const reason = viaRoot === null ? `Homie $state ${state}` : `Homie $state lost (root ${viaRoot})`;
  return { status: viaRoot === null ? statusOf(state) : "offline", reason, since };
}

/** A v5 child is lost while its root is: the root's LWT cannot update the children's `$state`. */
function effectiveLiveness(state: HomieState, dev: HomieDevice, since: EpochMs): Liveness | undefined {
  if (dev.version === 5 && dev.root !== null && dev.root !== dev.id && state.devices.get(keyOf(5, dev.root))?.state === "lost") {
    return livenessOf("lost", since, dev.root);
  }
  return dev.state === null ? undefined : livenessOf(dev.state, since, null);
}

// ---- facts ------------------------------------------------------------------------------------

function factsOf(ctx: Ctx, dev: HomieDevice, seen: boolean): DeviceFacts {
  return {
    id: idOf(ctx, dev.version, dev.id),
    convention: "homie",
    name: dev.name ?? dev.id,
    // Children are shown with their root (a bridge and the devices behind it).
    group: dev.version === 5 && dev.root !== null && dev.root !== dev.id ? dev.root : ctx.root,
    seen,
  };
}

/** A value as a measurement, or why it is not one; null when the datatype charts nothing. */
function measurementOf(p: HomieProperty, text: string, topic: string): { m: Measurement } | { problem: string } | null {
  let value: number | null;
  if (p.datatype === "integer") value = /^-?\d+$/.test(text) ? Number(text) : null;
  else if (p.datatype === "float") value = numberOf(text);
  else if (p.datatype === "boolean") value = text === "true" ? 1 : text === "false" ? 0 : null;
  else return null;
  if (value === null) return { problem: `Homie ${p.datatype} value ${JSON.stringify(clip(text, 40))} is not valid` };
  const m: Measurement = { value, topic };
  if (p.unit !== null && p.datatype !== "boolean") m.unit = p.unit;
  return { m };
}

const fieldOf = (key: string) => key.replace("/", ".");

/** `min:max[:step]` (either end may be open) as a JSON Schema range. */
export function rangeOf(format: string | null): { minimum?: number; maximum?: number } {
  if (format === null) return {};
  const parts = format.split(":");
  if (parts.length < 2 || parts.length > 3) return {};
  const min = parts[0] === "" ? null : numberOf(parts[0]);
  const max = parts[1] === "" ? null : numberOf(parts[1]);
  if ((parts[0] !== "" && min === null) || (parts[1] !== "" && max === null)) return {};
  if (min !== null && max !== null && min > max) return {};
  const out: { minimum?: number; maximum?: number } = {};
  if (min !== null) out.minimum = min;
  if (max !== null) out.maximum = max;
  return out;
}

function argOf(p: HomieProperty): ArgsJsonSchema["properties"][string] {
  const description = p.unit ? `${p.name ?? "value"} (${p.unit})` : (p.name ?? undefined);
  const withDescription = <T extends object>(o: T) => (description ? { ...o, description } : o);
  switch (p.datatype) {
    case "integer":
      return withDescription({ type: "integer" as const, ...rangeOf(p.format) });
    case "float":
      return withDescription({ type: "number" as const, ...rangeOf(p.format) });
    case "boolean":
      return withDescription({ type: "boolean" as const });
    case "enum": {
      const choices = (p.format ?? "").split(",").filter((c) => c !== "");
      return withDescription(choices.length > 0 && choices.length <= MAX_ENUM_CHOICES ? { type: "string" as const, enum: choices } : { type: "string" as const });
    }
    default:
      return withDescription({ type: "string" as const });
  }
}

/** Command names are one plain level (lib/commands/definitions.ts): Homie ids never hold `_`. */
const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function commandNameOf(node: string, prop: string): string | null {
  const name = `${node}_${prop}`;
  if (COMMAND_NAME.test(name)) return name;
  // Homie ids may start with a digit; a prefix keeps the name a name without meeting another.
  return COMMAND_NAME.test(`p_${name}`) ? `p_${name}` : null;
}

function commandsOf(ctx: Ctx, dev: HomieDevice): CommandFact[] {
  const out: CommandFact[] = [];
  const base = baseTopicOf(ctx, dev.version, dev.id);
  for (const [key, p] of dev.properties) {
    if (!p.settable || p.datatype === null) continue;
    const [node, prop] = key.split("/") as [string, string];
    const name = commandNameOf(node, prop);
    if (name === null) continue;
    out.push({
      name,
      description: `Set ${p.name ?? `${node}/${prop}`}`,
      args: { type: "object", properties: { value: argOf(p) }, required: ["value"], additionalProperties: false },
      topic: `${base}/${node}/${prop}/set`,
      confirm: "echo",
    });
  }
  return out;
}

/** Measurements for the pending values whose datatype is now known; the rest keep waiting. */
function flushPending(dev: HomieDevice, out: Record<string, Measurement>): void {
  for (const [key, v] of dev.pending) {
    const p = dev.properties.get(key);
    if (!p || p.datatype === null) continue;
    dev.pending.delete(key);
    p.last = v;
    const r = measurementOf(p, v.text, v.topic);
    if (r && "m" in r) out[fieldOf(key)] = r.m;
  }
}

// ---- v5 $description --------------------------------------------------------------------------

const description5 = z.object({
  homie: z.string(),
  version: z.number().int(),
  name: z.string(),
  type: z.string().optional(),
  nodes: z.record(z.string(), z.unknown()).optional(),
  root: z.string().optional(),
  parent: z.string().optional(),
  children: z.array(z.string()).optional(),
});

const node5 = z.object({ name: z.string().optional(), properties: z.record(z.string(), z.unknown()).optional() });

const property5 = z.object({
  name: z.string().optional(),
  datatype: z.string().refine((d) => DATATYPES.has(d), "unknown datatype"),
  format: z.string().optional(),
  settable: z.boolean().optional(),
  retained: z.boolean().optional(),
  unit: z.string().optional(),
});

const ID = /^[a-z0-9-]+$/;

/** The description's properties; the spec says to skip an object with an illegal field, not the device. */
function propertiesOf5(nodes: Record<string, unknown>): { properties: Map<string, HomieProperty>; skipped: string[] } {
  const properties = new Map<string, HomieProperty>();
  const skipped: string[] = [];
  let nodeCount = 0;
  for (const nodeId of Object.keys(nodes)) {
    const node = node5.safeParse(nodes[nodeId]);
    if (!ID.test(nodeId) || !node.success) {
      skipped.push(`node ${nodeId}`);
      continue;
    }
    if (++nodeCount > HOMIE_MAX_NODES) {
      skipped.push(`nodes past ${HOMIE_MAX_NODES}`);
      break;
    }
    const props = node.data.properties ?? {};
    for (const propId of Object.keys(props)) {
      const p = property5.safeParse(props[propId]);
      if (!ID.test(propId) || !p.success) {
        skipped.push(`property ${nodeId}/${propId}`);
        continue;
      }
      if (properties.size >= HOMIE_MAX_PROPERTIES) {
        skipped.push(`properties past ${HOMIE_MAX_PROPERTIES}`);
        return { properties, skipped };
      }
      properties.set(`${nodeId}/${propId}`, {
        name: p.data.name === undefined ? null : clip(p.data.name, HOMIE_MAX_NAME),
        datatype: p.data.datatype as HomieDatatype,
        unit: p.data.unit ?? null,
        format: p.data.format ?? null,
        settable: p.data.settable ?? false,
        retained: p.data.retained ?? true,
      });
    }
  }
  return { properties, skipped };
}

// ---- the convention ---------------------------------------------------------------------------

export interface HomieOptions {
  /** The first topic level; `homie` unless the fleet chose another. */
  root?: string;
}

interface Reading {
  ctx: Ctx;
  state: HomieState;
  m: Inbound;
  t: HomieTopic;
  id: DeviceId;
}

const LOG_LEVELS: Record<string, EventLevel> = { debug: "debug", info: "info", warn: "warning", error: "error", fatal: "critical" };

function refuse(r: Reading, problem: string): Interpretation {
  return { device: r.id, facts: [], problem };
}

/** The device a message is about, remembered from now on; null past HOMIE_MAX_DEVICES. */
function deviceFor(r: Reading): HomieDevice | null {
  const key = keyOf(r.t.version, r.t.device);
  let dev = r.state.devices.get(key);
  if (!dev) {
    if (r.state.devices.size >= HOMIE_MAX_DEVICES) return null;
    dev = newDevice(r.t.version, r.t.device);
    r.state.devices.set(key, dev);
  }
  return dev;
}

function readState(r: Reading, dev: HomieDevice, text: string | null): Interpretation {
  const facts = factsOf(r.ctx, dev, false);
  if (text === null) {
    // An empty retained `$state` removes the device (v5 says so; v4 topics clear the same way).
    r.state.devices.delete(keyOf(dev.version, dev.id));
    facts.liveness = { status: "unknown", reason: "Homie $state removed", since: r.m.ts };
    return { device: r.id, facts: [facts, ...childFacts(r, dev)] };
  }
  const value = text.trim();
  if (!(dev.version === 5 ? V5_STATES : V4_STATES).has(value)) return refuse(r, `Homie $state ${JSON.stringify(clip(value, 40))} is not a v${dev.version} state`);
  const before = dev.state;
  dev.state = value as HomieDeviceState;
  // `lost` is the broker speaking the device's will; anything else live is the device itself.
  facts.seen = !r.m.retain && value !== "lost";
  const liveness = effectiveLiveness(r.state, dev, r.m.ts);
  if (liveness) facts.liveness = liveness;
  if (value === "alert" && before !== "alert") facts.events = [{ kind: "alarm", level: "error", text: "Homie $state alert" }];
  const out: DeviceFacts[] = [facts];
  if ((before === "lost") !== (value === "lost")) out.push(...childFacts(r, dev));
  return { device: r.id, facts: out };
}

/** Each v5 child of `root`, with its liveness as the root's state now makes it. */
function childFacts(r: Reading, root: HomieDevice): DeviceFacts[] {
  if (root.version !== 5) return [];
  const out: DeviceFacts[] = [];
  for (const dev of r.state.devices.values()) {
    if (dev.version !== 5 || dev.root !== root.id || dev.id === root.id) continue;
    const f = factsOf(r.ctx, dev, false);
    const liveness = effectiveLiveness(r.state, dev, r.m.ts);
    if (liveness) f.liveness = liveness;
    out.push(f);
  }
  return out;
}

function readDescription(r: Reading, dev: HomieDevice, text: string | null): Interpretation {
  if (text === null) {
    // A deleted description: the device is being reconfigured or removed.
    dev.described = false;
    dev.properties = new Map();
    return { device: r.id, facts: [{ ...factsOf(r.ctx, dev, false), commands: [] }] };
  }
  const json = jsonObjectOf(text);
  const parsed = json === null ? null : description5.safeParse(json);
  if (!parsed?.success) {
    const why = parsed ? (parsed.error.issues[0]?.path.join(".") ?? "") : "not a JSON object";
    return refuse(r, `Homie $description: ${parsed ? `bad field ${why || "(root)"}` : why}`);
  }
  const d = parsed.data;
  const { properties, skipped } = propertiesOf5(d.nodes ?? {});
  dev.described = true;
  dev.properties = properties;
  dev.name = clip(d.name, HOMIE_MAX_NAME) || null;
  dev.model = d.type === undefined ? null : clip(d.type, HOMIE_MAX_NAME);
  dev.root = d.root !== undefined && d.root !== dev.id ? d.root : null;
  const measurements: Record<string, Measurement> = {};
  flushPending(dev, measurements);
  // A described device has no use for values of properties it does not list.
  dev.pending.clear();
  const out = factsOf(r.ctx, dev, false);
  out.commands = commandsOf(r.ctx, dev);
  if (dev.model !== null) out.model = dev.model;
  if (Object.keys(measurements).length > 0) out.measurements = measurements;
  const liveness = effectiveLiveness(r.state, dev, r.m.ts);
  if (liveness) out.liveness = liveness;
  const result: Interpretation = { device: r.id, facts: [out] };
  if (skipped.length > 0) result.problem = `Homie $description: skipped ${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ` and ${skipped.length - 5} more` : ""}`;
  return result;
}

function readLog(r: Reading, dev: HomieDevice, level: string, text: string | null): Interpretation {
  const mapped = Object.hasOwn(LOG_LEVELS, level) ? LOG_LEVELS[level]! : null;
  if (mapped === null) return refuse(r, `Homie $log level ${JSON.stringify(clip(level, 40))} is not debug, info, warn, error or fatal`);
  const facts = factsOf(r.ctx, dev, !r.m.retain);
  if (text !== null && text !== "") facts.events = [{ kind: "log", level: mapped, text: clip(text, HOMIE_MAX_TEXT) }];
  return { device: r.id, facts: [facts] };
}

function readAlert(r: Reading, dev: HomieDevice, alertId: string, text: string | null): Interpretation {
  const facts = factsOf(r.ctx, dev, !r.m.retain);
  const known = dev.alerts.get(alertId);
  let event: DeviceEventFact | null = null;
  if (text === null) {
    // Deleting the topic resolves the alert.
    if (known !== undefined) {
      dev.alerts.delete(alertId);
      event = { kind: "log", level: "info", text: `Homie alert ${alertId} cleared` };
    }
  } else if (known !== text) {
    if (known === undefined && dev.alerts.size >= HOMIE_MAX_ALERTS) return refuse(r, `Homie: more than ${HOMIE_MAX_ALERTS} open alerts`);
    const clipped = clip(text, HOMIE_MAX_TEXT);
    dev.alerts.set(alertId, text);
    event = { kind: "alarm", level: "warning", text: `${alertId}: ${clipped}` };
  }
  if (event) facts.events = [event];
  return { device: r.id, facts: [facts] };
}

function readValue(r: Reading, dev: HomieDevice, node: string, prop: string, text: string | null): Interpretation {
  const key = `${node}/${prop}`;
  const facts = factsOf(r.ctx, dev, !r.m.retain);
  const out: Interpretation = { device: r.id, facts: [facts] };
  const p = dev.properties.get(key);
  if (text === null) {
    dev.pending.delete(key); // a deleted value is no value
    return out;
  }
  if (!p || p.datatype === null) {
    if (dev.version === 5 && dev.described) return { ...out, problem: `Homie: ${key} is not in the $description` };
    if (!dev.pending.has(key) && dev.pending.size >= HOMIE_MAX_PENDING_VALUES) return { ...out, problem: `Homie: more than ${HOMIE_MAX_PENDING_VALUES} values waiting for their datatype` };
    dev.pending.set(key, { text, topic: r.m.topic });
    return out;
  }
  const m = measurementOf(p, text, r.m.topic);
  if (m === null) return out;
  if ("problem" in m) return { ...out, problem: m.problem };
  p.last = { text, topic: r.m.topic };
  facts.measurements = { [fieldOf(key)]: m.m };
  return out;
}

/** The nodes a device has: those `$nodes` lists and those its properties name. */
function nodesOf(dev: HomieDevice): Set<string> {
  const nodes = new Set(dev.nodes);
  for (const key of dev.properties.keys()) nodes.add(key.slice(0, key.indexOf("/")));
  return nodes;
}

/** v4: one property attribute; the device's commands follow every change of them. */
function readPropertyAttribute(r: Reading, dev: HomieDevice, node: string, prop: string, attr: string, text: string | null): Interpretation {
  const key = `${node}/${prop}`;
  let p = dev.properties.get(key);
  if (!p) {
    if (text === null) return { device: r.id, facts: [factsOf(r.ctx, dev, false)] };
    if (dev.properties.size >= HOMIE_MAX_PROPERTIES) return refuse(r, `Homie: more than ${HOMIE_MAX_PROPERTIES} properties`);
    const nodes = nodesOf(dev);
    if (!nodes.has(node) && nodes.size >= HOMIE_MAX_NODES) return refuse(r, `Homie: more than ${HOMIE_MAX_NODES} nodes`);
    p = { name: null, datatype: null, unit: null, format: null, settable: false, retained: true };
    dev.properties.set(key, p);
  }
  let problem: string | undefined;
  const value = text ?? "";
  switch (attr) {
    case "$name":
      p.name = value === "" ? null : clip(value, HOMIE_MAX_NAME);
      break;
    case "$datatype":
      p.datatype = DATATYPES.has(value) ? (value as HomieDatatype) : null;
      if (p.datatype === null && text !== null) problem = `Homie $datatype ${JSON.stringify(clip(value, 40))} is not known`;
      break;
    case "$unit":
      p.unit = value === "" ? null : value;
      break;
    case "$format":
      p.format = value === "" ? null : value;
      break;
    case "$settable":
      p.settable = value === "true";
      break;
    case "$retained":
      p.retained = value !== "false";
      break;
    default:
      return { device: r.id, facts: [factsOf(r.ctx, dev, false)] };
  }
  const facts = factsOf(r.ctx, dev, false);
  facts.commands = commandsOf(r.ctx, dev);
  const measurements: Record<string, Measurement> = {};
  // A unit said after the value: the value again, now with it.
  if (attr === "$unit" && p.last) {
    const again = measurementOf(p, p.last.text, p.last.topic);
    if (again && "m" in again) measurements[fieldOf(key)] = again.m;
  }
  flushPending(dev, measurements);
  if (Object.keys(measurements).length > 0) facts.measurements = measurements;
  const out: Interpretation = { device: r.id, facts: [facts] };
  if (problem) out.problem = problem;
  return out;
}

function readDeviceAttribute4(r: Reading, dev: HomieDevice, attr: string, text: string | null): Interpretation {
  if (attr === "$state") return readState(r, dev, text);
  const facts = factsOf(r.ctx, dev, false);
  if (attr === "$name") {
    dev.name = text === null || text === "" ? null : clip(text, HOMIE_MAX_NAME);
    facts.name = dev.name ?? dev.id;
  } else if (attr === "$nodes") {
    const nodes = (text ?? "").split(",").map((n) => n.trim().replace(/\[\]$/, "")).filter((n) => n !== "");
    dev.nodes = nodes.slice(0, HOMIE_MAX_NODES);
    if (nodes.length > HOMIE_MAX_NODES) return { device: r.id, facts: [facts], problem: `Homie $nodes: more than ${HOMIE_MAX_NODES} nodes` };
  }
  return { device: r.id, facts: [facts] };
}

function interpret4(r: Reading, dev: HomieDevice, text: string | null): Interpretation {
  const rest = r.t.rest;
  const [a, b, c] = rest as [string, string | undefined, string | undefined];
  if (rest.length === 1 && a.startsWith("$")) return readDeviceAttribute4(r, dev, a, text);
  // `$stats/…`, `$fw/…` (legacy extensions) and node attributes (`<node>/$name`) say nothing we chart.
  if (a.startsWith("$") || (rest.length === 2 && b!.startsWith("$"))) return { device: r.id, facts: [factsOf(r.ctx, dev, false)] };
  if (rest.length === 2) return readValue(r, dev, a, b!, text);
  if (rest.length === 3 && c!.startsWith("$")) return readPropertyAttribute(r, dev, a, b!, c!, text);
  return { device: r.id, facts: [factsOf(r.ctx, dev, !r.m.retain)] };
}

function interpret5(r: Reading, dev: HomieDevice, text: string | null): Interpretation {
  const rest = r.t.rest;
  const [a, b] = rest as [string, string | undefined];
  if (rest.length === 1 && a === "$state") return readState(r, dev, text);
  if (rest.length === 1 && a === "$description") return readDescription(r, dev, text);
  if (rest.length === 2 && a === "$log") return readLog(r, dev, b!, text);
  if (rest.length === 2 && a === "$alert") return readAlert(r, dev, b!, text);
  if (rest.length === 2 && !a.startsWith("$") && !b!.startsWith("$")) return readValue(r, dev, a, b!, text);
  // `$target` echoes an accepted set value (confirms reads it); extensions' `$…` topics.
  return { device: r.id, facts: [factsOf(r.ctx, dev, !r.m.retain)] };
}

// ---- commands ---------------------------------------------------------------------------------

/** A number as Homie text: the spec allows digits, `-`, `.` and `e`, so no `+` in an exponent. */
const numberText = (n: number) => String(n).replace("e+", "e");

function encodeValue(arg: ArgsJsonSchema["properties"][string] | undefined, value: unknown, version: HomieVersion): { text: string; echo: string | number | boolean } {
  if (!arg) throw new Error("the command has no value argument");
  if (arg.enum && !arg.enum.some((e) => e === value)) throw new Error(`value must be one of ${arg.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  switch (arg.type) {
    case "boolean":
      if (typeof value !== "boolean") throw new Error("value must be true or false");
      return { text: value ? "true" : "false", echo: value };
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw new Error("value must be a number");
      if (arg.type === "integer" && !Number.isSafeInteger(value)) throw new Error("value must be a whole number");
      if ((arg.minimum !== undefined && value < arg.minimum) || (arg.maximum !== undefined && value > arg.maximum)) {
        throw new Error(`value must be in ${arg.minimum ?? ""}..${arg.maximum ?? ""}`);
      }
      return { text: numberText(value), echo: value };
    }
    case "string":
      if (typeof value !== "string") throw new Error("value must be text");
      // v5's empty string is 0x00: an empty payload would mean "no value".
      return { text: value === "" && version === 5 ? "\u0000" : value, echo: value };
  }
}

/** The property topic a `set` topic belongs to, with its device; null for anything else. */
function propertyOfSetTopic(ctx: Ctx, topic: string): { t: HomieTopic; propertyTopic: string } | null {
  const t = parseHomieTopic(topic, ctx.root);
  if (!t || t.rest.length !== 3 || t.rest[2] !== "set" || t.rest[0]!.startsWith("$") || t.rest[1]!.startsWith("$")) return null;
  return { t, propertyTopic: topic.slice(0, -"/set".length) };
}

/** A device name usable in access rules: one level, no wildcards, not a `$` topic. */
const accessName = (name: string) => name !== "" && !/[/+#\u0000]/.test(name) && !name.startsWith("$");

export function createHomie(options: HomieOptions = {}): Convention<HomieState> {
  const root = options.root ?? HOMIE_DEFAULT_ROOT;
  if (root === "" || /[/+#]/.test(root)) throw new Error(`Homie root ${JSON.stringify(root)} must be one topic level without wildcards`);
  const ctx: Ctx = { root, idParts: root === HOMIE_DEFAULT_ROOT ? [] : [`$${root}`] };
  // Asked of every message: made once, not per call.
  const below = `${root}/`;

  return {
    id: "homie",
    label: "Homie",
    filters: [`${root}/#`],
    initialState: () => ({ devices: new Map() }),
    claims: (topic) => topic.startsWith(below),

    interpret(m, state) {
      const t = parseHomieTopic(m.topic, root);
      if (!t) return null;
      const r: Reading = { ctx, state, m, t, id: idOf(ctx, t.version, t.device) };
      const text = homieText(m, t.version);
      if (text !== null && m.text === null) return refuse(r, "too_large");
      // A `set` is a controller's request, not the device speaking; it creates nothing.
      if (t.rest[t.rest.length - 1] === "set" && t.rest.length === 3) return { device: r.id, facts: [] };
      const known = state.devices.get(keyOf(t.version, t.device));
      // Clearing the topics of a device never seen is nothing to remember.
      if (!known && text === null) return null;
      const dev = known ?? deviceFor(r);
      if (!dev) return refuse(r, `Homie: more than ${HOMIE_MAX_DEVICES} devices`);
      return t.version === 5 ? interpret5(r, dev, text) : interpret4(r, dev, text);
    },

    encodeCommand(_device, command, args, _id, state) {
      const target = propertyOfSetTopic(ctx, command.topic);
      if (!target) throw new Error(`${command.topic} is not a Homie property's set topic`);
      const { text, echo } = encodeValue(command.args.properties.value, args.value, target.t.version);
      const [node, prop] = target.t.rest as [string, string];
      const p = state.devices.get(keyOf(target.t.version, target.t.device))?.properties.get(`${node}/${prop}`);
      // Non-retained properties are momentary: a late set is worse than none (QoS 0, per the spec).
      const request: Outbound = { topic: command.topic, payload: text, qos: p?.retained === false ? 0 : 1, retain: false };
      const expect: Expectation = { kind: "echo", topic: target.propertyTopic, path: [], value: echo };
      return { request, expect };
    },

    confirms(expect, m) {
      if (expect.kind !== "echo") return null;
      const viaTarget = m.topic === `${expect.topic}/$target`;
      if (m.topic !== expect.topic && !viaTarget) return null;
      if (m.payload.byteLength === 0 || m.text === null) return null;
      const text = m.text === "\u0000" ? "" : m.text;
      const v = expect.value;
      const equal = typeof v === "number" ? numberOf(text) === v : typeof v === "boolean" ? text === String(v) : text === v;
      // A different value may be a transition on the way (a dimming light): wait for the timeout.
      if (!equal) return null;
      // `$target` (v5) says the device accepted the value; the spec advises no more than that.
      return { ok: true, result: { value: text, via: viaTarget ? "$target" : "value" } };
    },

    deviceAccess(name) {
      if (!accessName(name)) return { publish: [], subscribe: [] };
      return {
        publish: [`${root}/${name}/#`, `${root}/5/${name}/#`],
        subscribe: [`${root}/${name}/+/+/set`, `${root}/5/${name}/+/+/set`, `${root}/$broadcast/#`, `${root}/5/$broadcast/#`],
      };
    },
  };
}

export const homie: Convention<HomieState> = createHomie();
