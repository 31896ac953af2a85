/**
 * Zigbee2MQTT (zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html): one bridge process
 * publishes for every Zigbee device under a base topic (`zigbee2mqtt`):
 *
 *   <base>/bridge/devices        retained JSON list: ieee_address, friendly_name, definition.exposes
 *   <base>/bridge/state          the bridge's own `online`/`offline` (JSON `{"state":…}` since 2.x)
 *   <base>/<friendly name>       the device's state, a JSON object
 *   <base>/<friendly name>/availability   `online`/`offline` (JSON `{"state":…}` since 2.x), opt-in
 *   <base>/<friendly name>/set   requests, as `{"<property>": value}`
 *
 * A friendly name may contain `/` (`kitchen/floor_light`), so a topic is never split into levels
 * to find the name: the names come from `bridge/devices`, and a topic belongs to the longest
 * listed name it starts with. Before the list is known, a JSON object on `<base>/<x>` whose
 * `<x>` is an IEEE address (a device never renamed) is that device at once; any other is held
 * (its last state and availability, at most MAX_Z2M_HELD topics) and read when the list comes,
 * so a renamed device is never made twice under two ids.
 *
 * Device ids: `deviceIdFrom("z2m", ieee)`, from the list's IEEE address, since that survives
 * renames. A device that leaves the list becomes `unknown`, "no longer in bridge/devices".
 *
 * The bridge going offline makes every listed device's liveness `unknown` ("Zigbee2MQTT bridge
 * offline"): nobody reports for them any more, so their last availability is no longer known.
 * The bridge coming back changes nothing until the devices speak.
 */
import { z } from "zod";
import type { DeviceId } from "../model";
import { deviceIdFrom, jsonObjectOf, numberOf } from "../convention";
import type { ArgsJsonSchema, CommandFact, Convention, DeviceFacts, Expectation, Inbound, Interpretation, Measurement, Outbound } from "../convention";

export const ZIGBEE2MQTT_BASE = "zigbee2mqtt";
/** Devices taken from one `bridge/devices` list; a longer list is refused whole, with a reason. */
export const MAX_Z2M_DEVICES = 1000;
/** Topics whose last message waits for `bridge/devices` (see the header); past it, the oldest go. */
export const MAX_Z2M_HELD = 500;
/** Exposed properties kept per device (a thermostat has ~40). */
export const MAX_Z2M_FIELDS = 256;
/** Measurements read from one state message. */
export const MAX_Z2M_STATE_FIELDS = 128;
/**
 * `bridge/devices` of a real network is larger than the bridge's parse limit (a device with its
 * exposes is 3–8 KB), so the convention decodes the list itself up to this size.
 */
export const MAX_DEVICE_LIST_BYTES = 4 * 1024 * 1024;
/** How deep state objects and composite exposes nest before they are not read. */
const MAX_DEPTH = 4;

type Primitive = string | number | boolean;

/** What `exposes` says of one property, keyed by its dotted path in the state (`color.x`). */
export interface Z2mField {
  kind: "numeric" | "binary" | "enum" | "text";
  /** Bit 1 published in the state, bit 2 settable with `/set`, bit 4 readable with `/get`. */
  access: number;
  unit?: string;
  on?: Primitive;
  off?: Primitive;
  toggle?: Primitive;
  min?: number;
  max?: number;
  step?: number;
  values?: Primitive[];
  description?: string;
}

export interface Z2mDevice {
  ieee: string;
  name: string;
  id: DeviceId;
  type?: string;
  model?: string;
  maker?: string;
  fields: Map<string, Z2mField>;
}

export interface Z2mState {
  base: string;
  /** Whether `bridge/devices` has been read: from then on only listed names are devices. */
  listed: boolean;
  byName: Map<string, Z2mDevice>;
  byId: Map<string, Z2mDevice>;
  bridge: "online" | "offline" | null;
  /** Before the list: the last state or availability message per topic of a name not yet known. */
  held: Map<string, Inbound>;
}

/** Zigbee2MQTT's id for a device, the same whichever convention (its own, HA discovery) names it. */
export function z2mDeviceId(ieee: string): DeviceId {
  return deviceIdFrom("z2m", ieee.toLowerCase());
}

/** The IEEE address in a Zigbee2MQTT HA discovery identifier (`zigbee2mqtt_0x00158d0001a2b3c4`). */
export function ieeeFromHaIdentifier(identifier: string): string | null {
  // Only devices: the bridge's own HA device is `zigbee2mqtt_bridge_0x…`, groups `zigbee2mqtt_<digits>_<id>`.
  const m = /^zigbee2mqtt_(0x[0-9a-fA-F]{16})$/.exec(identifier);
  return m ? m[1]!.toLowerCase() : null;
}

const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const utf8 = new TextDecoder("utf-8", { fatal: false });

export function createZigbee2mqtt(base: string = ZIGBEE2MQTT_BASE): Convention<Z2mState> {
  if (!isTopicName(base)) throw new Error(`Zigbee2MQTT base topic must be a topic name without wildcards, got ${JSON.stringify(base)}`);
  const prefix = `${base}/`;
  return {
    id: "zigbee2mqtt",
    label: "Zigbee2MQTT",
    filters: [`${base}/#`],
    initialState: () => ({ base, listed: false, byName: new Map(), byId: new Map(), bridge: null, held: new Map() }),
    claims: (topic) => topic.startsWith(prefix),
    interpret: (msg, state) => interpret(msg, state),
    encodeCommand: (device, command, args, _id, state) => encodeCommand(device, command, args, state),
    confirms: (expect, msg, state) => confirms(expect, msg, state),
    // The name is the bridge's base topic: Zigbee2MQTT is one client for all its devices. With its
    // Home Assistant integration on it also publishes discovery and watches HA's birth message.
    deviceAccess: (name) =>
      isTopicName(name)
        ? { publish: [`${name}/#`, `${HA_DISCOVERY}/#`], subscribe: [`${name}/#`, `${HA_DISCOVERY}/status`] }
        : { publish: [], subscribe: [] },
    snapshot: (state) => snapshotOf(state),
    restore: (snap, state) => restoreInto(snap, state),
  };
}

/** Home Assistant's default discovery prefix (homeassistant.ts reads it). */
const HA_DISCOVERY = "homeassistant";

export const zigbee2mqtt: Convention<Z2mState> = createZigbee2mqtt();

// ---------------------------------------------------------------------------------------------
// Reading messages

function interpret(msg: Inbound, state: Z2mState): Interpretation | null {
  const rest = msg.topic.slice(state.base.length + 1);
  if (rest === "") return null;
  if (rest === "bridge" || rest.startsWith("bridge/")) return bridgeMessage(rest.slice(7), msg, state);
  const target = state.listed ? listedTarget(rest, state) : provisionalTarget(rest, msg);
  if (!target) return null;
  if (!state.listed && !isIeeeName(target.name) && (target.suffix === "" || target.suffix === "/availability")) return hold(msg, state);
  const facts = deviceFacts(target.name, target.device, state, !msg.retain);
  if (target.suffix === "") return stateMessage(msg, facts, target.device);
  if (target.suffix === "/availability") return availabilityMessage(msg, facts);
  // Requests to the device (`/set`, `/get`, `/<endpoint>/set`): they belong to it, but say nothing of it.
  return { device: facts.id, facts: [] };
}

interface Target {
  name: string;
  device: Z2mDevice | null;
  suffix: string;
}

/** The longest listed friendly name the topic starts with, and what follows it. */
function listedTarget(rest: string, state: Z2mState): Target | null {
  // Candidates end where a level ends: the whole rest, then each prefix before a `/`, longest first.
  for (let end = rest.length; end > 0; end = rest.lastIndexOf("/", end - 1)) {
    const name = rest.slice(0, end);
    const device = state.byName.get(name);
    if (!device) continue;
    const suffix = rest.slice(end);
    return isDeviceSuffix(suffix) ? { name, device, suffix } : null;
  }
  return null;
}

function isDeviceSuffix(suffix: string): boolean {
  return suffix === "" || suffix === "/availability" || /(^|\/)(set|get)(\/[^/]+)?$/.test(suffix);
}

/** Before `bridge/devices`: a JSON object is a device's state, an `/availability` its liveness. */
function provisionalTarget(rest: string, msg: Inbound): Target | null {
  if (rest.endsWith("/availability")) return rest.length > "/availability".length ? { name: rest.slice(0, -"/availability".length), device: null, suffix: "/availability" } : null;
  const request = /\/(set|get)(\/[^/]+)?$/.exec(rest);
  if (request) return rest.length > request[0].length ? { name: rest.slice(0, request.index), device: null, suffix: request[0] } : null;
  return jsonObjectOf(msg.text) ? { name: rest, device: null, suffix: "" } : null;
}

function deviceFacts(name: string, device: Z2mDevice | null, state: Z2mState, seen: boolean): DeviceFacts {
  return { id: device?.id ?? provisionalId(name), convention: "zigbee2mqtt", name, group: state.base, seen };
}

const isIeeeName = (name: string) => /^0x[0-9a-fA-F]{16}$/.test(name);

/** A device not renamed is named by its IEEE address: its id is known before the list. */
function provisionalId(name: string): DeviceId {
  return isIeeeName(name) ? z2mDeviceId(name) : deviceIdFrom("z2m", name);
}

/** Kept for the list to name (the last per topic), bounded: the oldest goes first. */
function hold(msg: Inbound, state: Z2mState): Interpretation {
  state.held.delete(msg.topic);
  if (state.held.size >= MAX_Z2M_HELD) state.held.delete(state.held.keys().next().value!);
  state.held.set(msg.topic, msg);
  return { device: null, facts: [] };
}

function stateMessage(msg: Inbound, facts: DeviceFacts, device: Z2mDevice | null): Interpretation {
  const out: Interpretation = { device: facts.id, facts: [facts] };
  const json = jsonObjectOf(msg.text);
  if (!json) {
    out.problem = msg.text === null ? "too_large" : "not_json_object";
    return out;
  }
  facts.measurements = measurementsOf(json, device?.fields ?? null, msg.topic);
  return out;
}

/**
 * Numbers of a state message, flattened with dots (`color.x`), with the units the exposes give.
 * Binary exposes count as 1/0 by their `value_on`/`value_off` ("ON"/"OFF", true/false); JSON
 * booleans are 1/0 even without exposes; strings are numbers only where an expose says numeric.
 */
export function measurementsOf(json: Record<string, unknown>, fields: Map<string, Z2mField> | null, topic: string): Record<string, Measurement> {
  const out: Record<string, Measurement> = {};
  let count = 0;
  const walk = (o: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const k in o) {
      if (!Object.hasOwn(o, k) || count >= MAX_Z2M_STATE_FIELDS) continue;
      const path = prefix + k;
      const v = o[k];
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        if (depth < MAX_DEPTH) walk(v as Record<string, unknown>, `${path}.`, depth + 1);
        continue;
      }
      const spec = fields?.get(path);
      const n = numericValue(v, spec);
      if (n === null) continue;
      out[path] = spec?.unit ? { value: n, unit: spec.unit, topic } : { value: n, topic };
      count++;
    }
  };
  walk(json, "", 1);
  return out;
}

function numericValue(v: unknown, spec: Z2mField | undefined): number | null {
  if (spec?.kind === "binary" && (spec.on !== undefined || spec.off !== undefined)) {
    if (v === spec.on) return 1;
    if (v === spec.off) return 0;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && spec?.kind === "numeric") return numberOf(v);
  return null;
}

/** `online`/`offline`, plain (1.x) or as `{"state": …}` (2.x); null for anything else. */
export function availabilityOf(text: string | null): "online" | "offline" | null {
  if (text === null) return null;
  const json = jsonObjectOf(text);
  const raw = json ? json.state : text;
  if (typeof raw !== "string") return null;
  const s = raw.trim().toLowerCase();
  return s === "online" || s === "offline" ? s : null;
}

function availabilityMessage(msg: Inbound, facts: DeviceFacts): Interpretation {
  const status = availabilityOf(msg.text);
  if (!status) return { device: facts.id, facts: [facts], problem: "availability is neither online nor offline" };
  facts.liveness = { status, reason: `Zigbee2MQTT availability ${status}`, since: msg.ts };
  return { device: facts.id, facts: [facts] };
}

function bridgeMessage(sub: string, msg: Inbound, state: Z2mState): Interpretation | null {
  if (sub === "devices") return deviceList(msg, state);
  if (sub === "state") return bridgeState(msg, state);
  // info, logging, event, groups, request/response: the bridge's business, no device's.
  return null;
}

function bridgeState(msg: Inbound, state: Z2mState): Interpretation {
  const status = availabilityOf(msg.text);
  if (!status) return { device: null, facts: [], problem: "bridge state is neither online nor offline" };
  state.bridge = status;
  if (status === "online") return { device: null, facts: [] };
  const facts: DeviceFacts[] = [];
  for (const d of state.byName.values()) {
    facts.push({ id: d.id, convention: "zigbee2mqtt", name: d.name, group: state.base, seen: false, liveness: { status: "unknown", reason: "Zigbee2MQTT bridge offline", since: msg.ts } });
  }
  return { device: null, facts };
}

// ---------------------------------------------------------------------------------------------
// bridge/devices

const primitive = z.union([z.string(), z.number(), z.boolean()]);
const deviceEntry = z.object({
  ieee_address: z.string().min(1).max(64),
  friendly_name: z.string().min(1).max(512),
  type: z.string().max(64).optional(),
  definition: z
    .object({
      model: z.string().max(256).optional(),
      vendor: z.string().max(256).optional(),
      description: z.string().max(1024).optional(),
      exposes: z.array(z.unknown()).max(MAX_Z2M_FIELDS).optional(),
    })
    .nullable()
    .optional(),
});

function listText(msg: Inbound): string | null {
  if (msg.text !== null) return msg.text;
  return msg.payload.byteLength <= MAX_DEVICE_LIST_BYTES ? utf8.decode(msg.payload) : null;
}

function deviceList(msg: Inbound, state: Z2mState): Interpretation {
  const text = listText(msg);
  if (text === null) return { device: null, facts: [], problem: `bridge/devices larger than ${MAX_DEVICE_LIST_BYTES} bytes` };
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return { device: null, facts: [], problem: "bridge/devices is not JSON" };
  }
  if (!Array.isArray(list)) return { device: null, facts: [], problem: "bridge/devices is not a JSON array" };
  // +1: the list also carries the coordinator, which is not kept.
  if (list.length > MAX_Z2M_DEVICES + 1) return { device: null, facts: [], problem: `bridge/devices lists ${list.length} devices, more than ${MAX_Z2M_DEVICES}` };
  const { devices, skipped } = devicesOf(list);
  const before = state.byId;
  state.listed = true;
  state.byName = new Map(devices.map((d) => [d.name, d]));
  state.byId = new Map(devices.map((d) => [d.id, d]));
  const out: Interpretation = { device: null, facts: devices.map((d) => describeDevice(d, state.base)) };
  // Removed from the network (or its list): nobody will report for it any more.
  for (const d of before.values()) {
    if (!state.byId.has(d.id)) out.facts.push({ id: d.id, convention: "zigbee2mqtt", name: d.name, group: state.base, seen: false, liveness: { status: "unknown", reason: "no longer in Zigbee2MQTT's bridge/devices", since: msg.ts } });
  }
  // What came before the list, read now that it names the devices.
  const held = [...state.held.values()];
  state.held.clear();
  for (const m of held) for (const f of interpret(m, state)?.facts ?? []) out.facts.push(f);
  if (skipped > 0) out.problem = `${skipped} bridge/devices entries not understood`;
  return out;
}

function devicesOf(list: unknown[]): { devices: Z2mDevice[]; skipped: number } {
  const devices: Z2mDevice[] = [];
  const names = new Set<string>();
  let skipped = 0;
  for (const raw of list) {
    const e = deviceEntry.safeParse(raw);
    // A name with a wildcard could never be a topic of its own; Zigbee2MQTT refuses them too.
    if (!e.success || !isTopicName(e.data.friendly_name) || names.has(e.data.friendly_name)) {
      skipped++;
      continue;
    }
    if (e.data.type === "Coordinator") continue; // the bridge's radio, not a device to list
    if (devices.length >= MAX_Z2M_DEVICES) break;
    names.add(e.data.friendly_name);
    devices.push(deviceOf(e.data));
  }
  return { devices, skipped };
}

function deviceOf(e: z.infer<typeof deviceEntry>): Z2mDevice {
  const fields = new Map<string, Z2mField>();
  collectFields(e.definition?.exposes ?? [], "", fields, 1);
  const d: Z2mDevice = { ieee: e.ieee_address.toLowerCase(), name: e.friendly_name, id: z2mDeviceId(e.ieee_address), fields };
  if (e.type !== undefined) d.type = e.type;
  if (e.definition?.model !== undefined) d.model = e.definition.model;
  if (e.definition?.vendor !== undefined) d.maker = e.definition.vendor;
  return d;
}

const exposeSchema = z.object({
  type: z.string().max(64),
  property: z.string().min(1).max(256).optional(),
  access: z.number().int().min(0).max(7).optional(),
  unit: z.string().max(32).optional(),
  value_on: primitive.optional(),
  value_off: primitive.optional(),
  value_toggle: primitive.optional(),
  value_min: z.number().optional(),
  value_max: z.number().optional(),
  value_step: z.number().optional(),
  values: z.array(primitive).max(256).optional(),
  description: z.string().max(1024).optional(),
  features: z.array(z.unknown()).max(MAX_Z2M_FIELDS).optional(),
});

/**
 * Exposes flattened to the paths their values take in the state: a generic expose at its
 * `property`; a composite's features under `<property>.` (`color.x`); a specific one's (light,
 * switch, climate…) at the same level, as Zigbee2MQTT publishes them. The first expose of a path wins.
 */
function collectFields(exposes: unknown[], prefix: string, out: Map<string, Z2mField>, depth: number): void {
  for (const raw of exposes) {
    if (out.size >= MAX_Z2M_FIELDS) return;
    const p = exposeSchema.safeParse(raw);
    if (!p.success) continue;
    const e = p.data;
    if (e.features) {
      if (depth >= MAX_DEPTH) continue;
      const nested = e.type === "composite" && e.property !== undefined ? `${prefix}${e.property}.` : prefix;
      collectFields(e.features, nested, out, depth + 1);
      continue;
    }
    if (e.property === undefined || !(e.type === "numeric" || e.type === "binary" || e.type === "enum" || e.type === "text")) continue;
    const key = prefix + e.property;
    if (!out.has(key)) out.set(key, fieldOf(e));
  }
}

function fieldOf(e: z.infer<typeof exposeSchema>): Z2mField {
  const f: Z2mField = { kind: e.type as Z2mField["kind"], access: e.access ?? 1 };
  if (e.unit !== undefined) f.unit = e.unit;
  if (e.value_on !== undefined) f.on = e.value_on;
  if (e.value_off !== undefined) f.off = e.value_off;
  if (e.value_toggle !== undefined) f.toggle = e.value_toggle;
  if (e.value_min !== undefined) f.min = e.value_min;
  if (e.value_max !== undefined) f.max = e.value_max;
  if (e.value_step !== undefined) f.step = e.value_step;
  if (e.values !== undefined) f.values = e.values;
  if (e.description !== undefined) f.description = e.description;
  return f;
}

function describeDevice(d: Z2mDevice, base: string): DeviceFacts {
  const f: DeviceFacts = { id: d.id, convention: "zigbee2mqtt", name: d.name, group: base, seen: false, commands: commandsOf(d, base) };
  if (d.model !== undefined) f.model = d.model;
  if (d.maker !== undefined) f.maker = d.maker;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * One command per top-level property that is both settable and published (access bits 2 and 1):
 * the published state is what confirms it. Set-only exposes (`effect`, `identify`) have nothing
 * to confirm them and are left out; composites (`color`) need several arguments and are too.
 */
export function commandsOf(d: Z2mDevice, base: string): CommandFact[] {
  const out: CommandFact[] = [];
  for (const [key, f] of d.fields) {
    if ((f.access & 3) !== 3 || key.includes(".") || !COMMAND_NAME.test(key)) continue;
    const prop = argOf(f);
    if (!prop) continue;
    const args: ArgsJsonSchema = { type: "object", properties: { [key]: prop }, required: [key], additionalProperties: false };
    out.push({ name: key, description: f.description ?? `Set ${key}`, args, topic: `${base}/${d.name}/set`, confirm: "echo" });
  }
  return out;
}

type ArgProperty = ArgsJsonSchema["properties"][string];

function argOf(f: Z2mField): ArgProperty | null {
  switch (f.kind) {
    case "binary": {
      const values = [f.on, f.off, f.toggle].filter((v): v is Primitive => v !== undefined);
      if (values.length < 2) return null;
      if (values.every((v) => typeof v === "string")) return { type: "string", enum: values };
      if (values.every((v) => typeof v === "boolean")) return { type: "boolean" };
      return null;
    }
    case "numeric": {
      // Integers unless the expose steps in fractions (a setpoint by 0.5 °C).
      const p: ArgProperty = { type: f.step !== undefined && !Number.isInteger(f.step) ? "number" : "integer" };
      if (f.min !== undefined) p.minimum = f.min;
      if (f.max !== undefined) p.maximum = f.max;
      if (f.unit !== undefined) p.description = f.unit;
      return p;
    }
    case "enum": {
      const values = f.values ?? [];
      if (values.length === 0) return null;
      if (values.every((v) => typeof v === "string")) return { type: "string", enum: values };
      if (values.every((v) => typeof v === "number")) return { type: "number", enum: values };
      return null;
    }
    case "text":
      return { type: "string" };
  }
}

function encodeCommand(device: DeviceFacts, command: CommandFact, args: Record<string, unknown>, state: Z2mState): { request: Outbound; expect: Expectation } {
  const property = command.name;
  const known = state.byId.get(device.id) ?? null;
  const spec = command.args.properties[property];
  if (!spec) throw new Error(`command ${property} takes no argument ${property}`);
  for (const k of Object.keys(args)) if (k !== property) throw new Error(`unknown argument ${k}`);
  const value = checkArg(property, args[property], spec);
  // The current friendly name, where the list says one: the device may have been renamed since
  // the command was described.
  const name = known?.name ?? nameFromSetTopic(command.topic, state.base);
  if (name === null) throw new Error(`no Zigbee2MQTT set topic for ${device.name}`);
  const request: Outbound = { topic: `${state.base}/${name}/set`, payload: JSON.stringify({ [property]: value }), qos: 1, retain: false };
  return { request, expect: { kind: "echo", topic: `${state.base}/${name}`, path: [property], value } };
}

function nameFromSetTopic(topic: string, base: string): string | null {
  return topic.startsWith(`${base}/`) && topic.endsWith("/set") && topic.length > base.length + 5 ? topic.slice(base.length + 1, -4) : null;
}

function checkArg(name: string, v: unknown, spec: ArgProperty): Primitive {
  if (v === undefined) throw new Error(`${name} is required`);
  if (spec.type === "string" && typeof v !== "string") throw new Error(`${name} must be a string`);
  if (spec.type === "boolean" && typeof v !== "boolean") throw new Error(`${name} must be true or false`);
  if ((spec.type === "number" || spec.type === "integer") && (typeof v !== "number" || !Number.isFinite(v))) throw new Error(`${name} must be a number`);
  if (spec.type === "integer" && !Number.isInteger(v)) throw new Error(`${name} must be an integer`);
  const p = v as Primitive;
  if (spec.enum && !spec.enum.includes(p)) throw new Error(`${name} must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof p === "number" && spec.minimum !== undefined && p < spec.minimum) throw new Error(`${name} must be at least ${spec.minimum}`);
  if (typeof p === "number" && spec.maximum !== undefined && p > spec.maximum) throw new Error(`${name} must be at most ${spec.maximum}`);
  return p;
}

/**
 * The device's state echoing the property settles a command: equal for a set value (numbers as
 * numbers), and for a toggle any on/off value, since what a toggle ends in is not known when it
 * is sent. Zigbee2MQTT's `Publish 'set' '<property>' to '<name>' failed` log line fails it.
 */
function confirms(expect: Expectation, msg: Inbound, state: Z2mState): { ok: true; result?: unknown } | { ok: false; error: string } | null {
  if (expect.kind !== "echo" || !expect.topic.startsWith(`${state.base}/`)) return null;
  const name = expect.topic.slice(state.base.length + 1);
  const property = expect.path[0];
  if (property === undefined) return null;
  if (msg.topic === `${state.base}/bridge/logging`) return failureIn(msg, name, property);
  // A retained replay is the state from before the command (what subscribing to the echo brings).
  if (msg.topic !== expect.topic || msg.retain) return null;
  let v: unknown = jsonObjectOf(msg.text);
  for (const k of expect.path) v = v !== null && typeof v === "object" && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined) return null;
  const spec = state.byName.get(name)?.fields.get(expect.path.join("."));
  if (isToggle(expect.value, spec)) return spec === undefined || v === spec.on || v === spec.off ? { ok: true, result: { [property]: v } } : null;
  const same = typeof expect.value === "number" ? numberOf(v) === expect.value : v === expect.value;
  return same ? { ok: true, result: { [property]: v } } : null;
}

function isToggle(value: Primitive, spec: Z2mField | undefined): boolean {
  return spec?.toggle !== undefined ? value === spec.toggle : value === "TOGGLE";
}

function failureIn(msg: Inbound, name: string, property: string): { ok: false; error: string } | null {
  const log = jsonObjectOf(msg.text);
  const text = typeof log?.message === "string" ? log.message : null;
  if (log?.level !== "error" || text === null) return null;
  return text.includes(`'${property}' to '${name}' failed`) ? { ok: false, error: text } : null;
}

// ---------------------------------------------------------------------------------------------
// Snapshot: a browser tab that subscribed after the retained list was replayed still needs it

const fieldSnapshot = z.object({
  kind: z.enum(["numeric", "binary", "enum", "text"]),
  access: z.number().int().min(0).max(7),
  unit: z.string().max(32).optional(),
  on: primitive.optional(),
  off: primitive.optional(),
  toggle: primitive.optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  values: z.array(primitive).max(256).optional(),
  description: z.string().max(1024).optional(),
});
const deviceSnapshot = z.object({
  ieee: z.string().min(1).max(64),
  name: z.string().min(1).max(512),
  type: z.string().max(64).optional(),
  model: z.string().max(256).optional(),
  maker: z.string().max(256).optional(),
  fields: z.array(z.tuple([z.string().min(1).max(512), fieldSnapshot])).max(MAX_Z2M_FIELDS),
});
const snapshotSchema = z.object({ base: z.string(), listed: z.boolean(), devices: z.array(deviceSnapshot).max(MAX_Z2M_DEVICES) });

function snapshotOf(state: Z2mState): z.infer<typeof snapshotSchema> {
  const devices = [...state.byName.values()].map((d) => {
    const s: z.infer<typeof deviceSnapshot> = { ieee: d.ieee, name: d.name, fields: [...d.fields] };
    if (d.type !== undefined) s.type = d.type;
    if (d.model !== undefined) s.model = d.model;
    if (d.maker !== undefined) s.maker = d.maker;
    return s;
  });
  return { base: state.base, listed: state.listed, devices };
}

function restoreInto(snap: unknown, state: Z2mState): void {
  const p = snapshotSchema.safeParse(snap);
  if (!p.success || p.data.base !== state.base || !p.data.listed) return;
  const devices: Z2mDevice[] = [];
  for (const s of p.data.devices) {
    if (!isTopicName(s.name) || devices.some((d) => d.name === s.name)) continue;
    const d: Z2mDevice = { ieee: s.ieee.toLowerCase(), name: s.name, id: z2mDeviceId(s.ieee), fields: new Map(s.fields.map(([k, f]) => [k, stripUndefined(f)])) };
    if (s.type !== undefined) d.type = s.type;
    if (s.model !== undefined) d.model = s.model;
    if (s.maker !== undefined) d.maker = s.maker;
    devices.push(d);
  }
  state.listed = true;
  state.byName = new Map(devices.map((d) => [d.name, d]));
  state.byId = new Map(devices.map((d) => [d.id, d]));
}

function stripUndefined(f: z.infer<typeof fieldSnapshot>): Z2mField {
  const out: Z2mField = { kind: f.kind, access: f.access };
  for (const k of ["unit", "on", "off", "toggle", "min", "max", "step", "values", "description"] as const) {
    if (f[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = f[k];
  }
  return out;
}

/** A topic one can publish to: not empty, no wildcards, no NUL. */
export function isTopicName(t: string): boolean {
  return t.length > 0 && t.length <= 65535 && !/[+#\u0000]/.test(t);
}
