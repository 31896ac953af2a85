/**
 * Tasmota (https://tasmota.github.io). A device's topics follow its FullTopic, by default
 * `%prefix%/%topic%/` with the prefixes cmnd, stat and tele, but it can be reordered
 * (`%topic%/%prefix%/`) or carry other levels, so the layout is learned from Tasmota's own
 * retained discovery: `tasmota/discovery/<MAC>/config` (topic `t`, full topic `ft`, prefixes
 * `tp`, names `dn`/`fn`, model `md`, relays `rl`, LWT payloads `onln`/`ofln`, state texts) and
 * `tasmota/discovery/<MAC>/sensors` (the sensor snapshot, with `TempUnit` and friends). Without
 * discovery the default layout is read: `tele/<t>/…`, `stat/<t>/…`, `cmnd/<t>/…`.
 *
 * - `tele/<t>/LWT` `Online`/`Offline` is the liveness.
 * - `tele/<t>/SENSOR` and `tele/<t>/STATE` (and `stat/<t>/STATUS10`/`STATUS11`) are flattened
 *   with dots: `ENERGY.Power`, `AM2301.Temperature`, `ENERGY.Current.0`, `Wifi.RSSI`. Units are
 *   not in the payload: they follow from the key (Tasmota's own names, as hatasmota maps them)
 *   and from `TempUnit`, `PressureUnit`, `SpeedUnit`.
 * - `POWER`, `POWER1`… `ON`/`OFF` (STATE, `stat/<t>/RESULT`, `stat/<t>/POWERn`) are 1/0.
 * - Commands: `Power`/`PowerN` per relay, published to `<cmnd base>PowerN` with `ON`, `OFF` or
 *   `TOGGLE`, confirmed by echo: the `POWERn` key of the `stat/<t>/RESULT` that answers it.
 *
 * Device ids are `tasmota.<topic>`: the topic is what every message names, the MAC only discovery.
 *
 * Pure: state is kept in the object the caller holds, every collection bounded below.
 */
import { z } from "zod";
import {
  deviceIdFrom,
  jsonObjectOf,
  numberOf,
  type CommandFact,
  type Convention,
  type DeviceFacts,
  type Expectation,
  type Inbound,
  type Interpretation,
  type Measurement,
  type Outbound,
} from "../convention";
import type { DeviceId } from "../model";

export const TASMOTA_DISCOVERY_PREFIX = "tasmota/discovery/";
/** Devices learned from discovery. */
export const TASMOTA_MAX_DEVICES = 1000;
/** Numbers read from one SENSOR or STATE message; past it the message says so. */
export const TASMOTA_MAX_FIELDS = 128;
/** Levels of nesting read (`TX23.Speed.Act` is three). */
export const TASMOTA_MAX_DEPTH = 5;
/** Relays offered as Power commands (Tasmota has at most 32 POWER outputs). */
export const TASMOTA_MAX_RELAYS = 32;
/** Characters kept of a name or model. */
export const TASMOTA_MAX_NAME = 200;

export type TasmotaPrefix = "cmnd" | "stat" | "tele";
const PREFIXES: readonly TasmotaPrefix[] = ["cmnd", "stat", "tele"];
/** The group topic every Tasmota subscribes to by default. */
const GROUP_TOPIC = "tasmotas";

export interface TasmotaDevice {
  mac: string;
  /** `%topic%`. */
  topic: string;
  name: string;
  model: string | null;
  /** The base of each prefix's topics, ending in `/`: `tasmota_49A3BC/tele/`. */
  bases: Record<TasmotaPrefix, string>;
  online: string;
  offline: string;
  /** StateText1 and 2: what POWER says for off and on. */
  off: string;
  on: string;
  /** POWER indices (1-based) of the relays and lights. */
  relays: number[];
  /** TempUnit, PressureUnit and SpeedUnit from the sensors discovery. */
  units: Partial<Record<UnitKey, string>>;
}

export interface TasmotaState {
  /** By MAC, as discovery names them. */
  devices: Map<string, TasmotaDevice>;
  /** Each learned base (`tasmota_49A3BC/tele/`) → its device's MAC and the prefix. */
  bases: Map<string, { mac: string; prefix: TasmotaPrefix }>;
  /** Units the sensors discovery said before the config did, by MAC. */
  unitsByMac: Map<string, Partial<Record<UnitKey, string>>>;
}

type UnitKey = "TempUnit" | "PressureUnit" | "SpeedUnit";

// ---- discovery --------------------------------------------------------------------------------

/** One topic level a device may name itself by: no separators or wildcards. */
const LEVEL = /^[^/+#\u0000]+$/;

const config = z.object({
  t: z.string().regex(LEVEL),
  mac: z.string().regex(/^[0-9A-Fa-f]{12}$/),
  ft: z.string().max(200).default("%prefix%/%topic%/"),
  tp: z.tuple([z.string().regex(LEVEL), z.string().regex(LEVEL), z.string().regex(LEVEL)]).default(["cmnd", "stat", "tele"]),
  hn: z.string().regex(LEVEL).optional(),
  dn: z.string().nullish(),
  fn: z.array(z.string().nullable()).max(TASMOTA_MAX_RELAYS).default([]),
  md: z.string().nullish(),
  rl: z.array(z.number()).max(TASMOTA_MAX_RELAYS).default([]),
  onln: z.string().default("Online"),
  ofln: z.string().default("Offline"),
  state: z.array(z.string()).min(2).optional(),
});

const sensors = z.object({ sn: z.record(z.string(), z.unknown()) });

/**
 * The base of each prefix's topics from a FullTopic, as Tasmota fills it in (hatasmota's
 * `_get_topic`): `%prefix%`, `%topic%`, `%hostname%`, `%id%` (the MAC's last six digits).
 */
export function fullTopicBases(ft: string, values: { topic: string; hostname?: string; mac: string; prefixes: readonly [string, string, string] }): Record<TasmotaPrefix, string> | null {
  // Without a prefix and a device token every device's tele, stat and cmnd topics would share
  // one base, or every device one base per prefix: nothing to tell them apart by.
  if (!ft.includes("%prefix%") || !/%(topic|hostname|id)%/.test(ft)) return null;
  if (ft.includes("%hostname%") && values.hostname === undefined) return null;
  const fill = (prefix: string) => {
    let s = ft.replaceAll("%prefix%", prefix).replaceAll("%topic%", values.topic).replaceAll("%id%", values.mac.slice(-6));
    if (values.hostname !== undefined) s = s.replaceAll("%hostname%", values.hostname);
    return s.endsWith("/") ? s : `${s}/`;
  };
  const [cmnd, stat, tele] = values.prefixes;
  const bases = { cmnd: fill(cmnd), stat: fill(stat), tele: fill(tele) };
  for (const b of Object.values(bases)) if (b.startsWith("/") || b.includes("//") || /[+#%]/.test(b) || b.startsWith("$")) return null;
  return new Set(Object.values(bases)).size === 3 ? bases : null;
}

function forget(state: TasmotaState, mac: string): void {
  const dev = state.devices.get(mac);
  if (!dev) return;
  for (const p of PREFIXES) if (state.bases.get(dev.bases[p])?.mac === mac) state.bases.delete(dev.bases[p]);
  state.devices.delete(mac);
}

const clip = (s: string) => (s.length > TASMOTA_MAX_NAME ? s.slice(0, TASMOTA_MAX_NAME) : s);

function readConfig(m: Inbound, mac: string, state: TasmotaState): Interpretation {
  if (m.payload.byteLength === 0) {
    // An empty retained config: the device was removed from discovery (SetOption19/Reset).
    const dev = state.devices.get(mac);
    forget(state, mac);
    return dev ? { device: idOf(dev.topic), facts: [{ ...baseFacts(dev.topic, dev.name, false), commands: [] }] } : { device: null, facts: [] };
  }
  const json = jsonObjectOf(m.text);
  if (json === null) return { device: null, facts: [], problem: m.text === null ? "too_large" : "Tasmota discovery config is not a JSON object" };
  const parsed = config.safeParse(json);
  if (!parsed.success) return { device: null, facts: [], problem: `Tasmota discovery config: bad field ${parsed.error.issues[0]?.path.join(".") || "(root)"}` };
  const c = parsed.data;
  const bases = fullTopicBases(c.ft, { topic: c.t, hostname: c.hn, mac: c.mac, prefixes: c.tp });
  if (!bases) return { device: idOf(c.t), facts: [], problem: `Tasmota discovery config: full topic ${JSON.stringify(c.ft)} gives no distinct topics per prefix` };
  if (!state.devices.has(mac) && state.devices.size >= TASMOTA_MAX_DEVICES) return { device: idOf(c.t), facts: [], problem: `Tasmota: more than ${TASMOTA_MAX_DEVICES} discovered devices` };
  forget(state, mac);
  // A topic another MAC had is now this device's (a replaced plug keeps its topic).
  for (const other of [...state.devices.values()]) if (other.topic === c.t) forget(state, other.mac);
  for (const b of Object.values(bases)) {
    const owner = state.bases.get(b);
    if (owner) forget(state, owner.mac);
  }
  const relays: number[] = [];
  // rl: 0 none, 1 relay, 2 light, 3 shutter; relays and lights answer to PowerN.
  c.rl.forEach((kind, i) => {
    if (kind === 1 || kind === 2) relays.push(i + 1);
  });
  const dev: TasmotaDevice = {
    mac,
    topic: c.t,
    name: clip(c.dn || c.fn.find((n): n is string => !!n) || c.t),
    model: c.md ? clip(c.md) : null,
    bases,
    online: c.onln,
    offline: c.ofln,
    off: c.state?.[0] ?? "OFF",
    on: c.state?.[1] ?? "ON",
    relays,
    units: state.unitsByMac.get(mac) ?? {},
  };
  state.unitsByMac.delete(mac);
  state.devices.set(mac, dev);
  for (const p of PREFIXES) state.bases.set(bases[p], { mac, prefix: p });
  const facts = baseFacts(dev.topic, dev.name, false);
  facts.maker = "Tasmota";
  if (dev.model !== null) facts.model = dev.model;
  facts.commands = powerCommands(dev.bases.cmnd, relays);
  return { device: idOf(dev.topic), facts: [facts] };
}

function unitsOf(sn: Record<string, unknown>): Partial<Record<UnitKey, string>> {
  const out: Partial<Record<UnitKey, string>> = {};
  for (const k of ["TempUnit", "PressureUnit", "SpeedUnit"] as const) {
    const v = sn[k];
    if (typeof v === "string" && v.length <= 16) out[k] = v;
  }
  return out;
}

function readSensorsDiscovery(m: Inbound, mac: string, state: TasmotaState): Interpretation {
  if (m.payload.byteLength === 0) return { device: null, facts: [] };
  const parsed = sensors.safeParse(jsonObjectOf(m.text));
  if (!parsed.success) return { device: null, facts: [], problem: m.text === null ? "too_large" : "Tasmota discovery sensors is not {sn: {…}}" };
  const units = unitsOf(parsed.data.sn);
  const dev = state.devices.get(mac);
  if (dev) {
    dev.units = units;
    return { device: idOf(dev.topic), facts: [baseFacts(dev.topic, dev.name, false)] };
  }
  // The sensors message may come before the config: keep the units for it, bounded alike.
  if (!state.unitsByMac.has(mac) && state.unitsByMac.size >= TASMOTA_MAX_DEVICES) return { device: null, facts: [], problem: `Tasmota: more than ${TASMOTA_MAX_DEVICES} undiscovered sensor units` };
  state.unitsByMac.set(mac, units);
  return { device: null, facts: [] };
}

// ---- facts ------------------------------------------------------------------------------------

const idOf = (topic: string): DeviceId => deviceIdFrom("tasmota", topic);

function baseFacts(topic: string, name: string, seen: boolean): DeviceFacts {
  return { id: idOf(topic), convention: "tasmota", name, group: "tasmota", seen };
}

const POWER_KEY = /^POWER([1-9]\d?)?$/;

/** The Power commands for the given POWER indices; `Power` alone when none is known. */
function powerCommands(cmndBase: string, relays: readonly number[]): CommandFact[] {
  const names = relays.length === 0 ? ["Power"] : relays.slice(0, TASMOTA_MAX_RELAYS).map((i) => `Power${i}`);
  return names.map((name) => ({
    name,
    description: name === "Power" ? "Switch the relay" : `Switch relay ${name.slice(5)}`,
    args: { type: "object", properties: { state: { type: "string", enum: ["ON", "OFF", "TOGGLE"] } }, required: ["state"], additionalProperties: false },
    topic: `${cmndBase}${name}`,
    confirm: "echo",
  }));
}

/** Units Tasmota implies by key (hatasmota's SENSOR_UNIT_MAP, in the symbols shown here). */
const UNITS: Record<string, string> = {
  Power: "W",
  ActivePower: "W",
  ApparentPower: "VA",
  ReactivePower: "var",
  Voltage: "V",
  Current: "A",
  CurrentNeutral: "A",
  Total: "kWh",
  Today: "kWh",
  Yesterday: "kWh",
  Energy: "kWh",
  ExportActive: "kWh",
  ImportActive: "kWh",
  ImportReactive: "kvarh",
  ExportReactive: "kvarh",
  Frequency: "Hz",
  PhaseAngle: "°",
  Humidity: "%",
  Moisture: "%",
  Battery: "%",
  Illuminance: "lx",
  Ambient: "lx",
  Distance: "cm",
  Weight: "kg",
  CarbonDioxide: "ppm",
  eCO2: "ppm",
  TVOC: "ppb",
  PM1: "µg/m³",
  "PM2.5": "µg/m³",
  PM10: "µg/m³",
  CCT: "K",
  RSSI: "%",
  Signal: "dBm",
  Heap: "kB",
  UptimeSec: "s",
  Sleep: "ms",
};

/** Keys whose unit is the device's setting. */
const DYNAMIC: Record<string, UnitKey> = { Temperature: "TempUnit", DewPoint: "TempUnit", Pressure: "PressureUnit", SeaPressure: "PressureUnit", Speed: "SpeedUnit" };

function unitByKey(key: string, units: Partial<Record<UnitKey, string>>, nested: boolean): string | undefined {
  // Numbered sensors (`Temperature1`, `Illuminance3`) are the same quantity.
  const k = Object.hasOwn(UNITS, key) || Object.hasOwn(DYNAMIC, key) ? key : key.replace(/\d+$/, "");
  if (Object.hasOwn(UNITS, k)) return UNITS[k];
  // Sensor readings nest under the sensor's name; a top-level `Speed` is a light's fade speed.
  if (!nested || !Object.hasOwn(DYNAMIC, k)) return undefined;
  const setting = units[DYNAMIC[k]!];
  if (setting === undefined) return undefined;
  return setting === "C" || setting === "F" ? `°${setting}` : setting;
}

/**
 * The unit of a flattened path: its last key's, else (an array index, `ENERGY.Current.0`, or a
 * dict of phases, `ENERGY.Total.Phase1`) its parent's. The sensor's own name is never asked.
 */
function unitOf(path: string[], units: Partial<Record<UnitKey, string>>): string | undefined {
  const last = path[path.length - 1]!;
  const own = unitByKey(last, units, path.length > 1);
  if (own !== undefined || path.length < 3) return own;
  return unitByKey(path[path.length - 2]!, units, true);
}

/** Strings that only look like numbers: sensor ids (`DS18B20.Id`), times. */
const NOT_A_NUMBER_KEY = /(Id|ID|Time)$/;

interface Flat {
  values: Record<string, Measurement>;
  truncated: boolean;
}

function flatten(obj: Record<string, unknown>, topic: string, dev: Pick<TasmotaDevice, "on" | "off" | "units">): Flat {
  const out: Flat = { values: {}, truncated: false };
  let count = 0;
  const add = (path: string[], value: number) => {
    if (count >= TASMOTA_MAX_FIELDS) {
      out.truncated = true;
      return;
    }
    count++;
    const m: Measurement = { value, topic };
    const unit = unitOf(path, dev.units);
    if (unit !== undefined) m.unit = unit;
    out.values[path.join(".")] = m;
  };
  const walk = (v: unknown, path: string[]) => {
    const key = path[path.length - 1]!;
    if (typeof v === "number") {
      if (Number.isFinite(v)) add(path, v);
    } else if (typeof v === "string") {
      if (path.length === 1 && POWER_KEY.test(key)) {
        const on = powerValue(v, dev);
        if (on !== null) add(path, on);
      } else if (!NOT_A_NUMBER_KEY.test(key)) {
        const n = numberOf(v);
        if (n !== null) add(path, n);
      }
    } else if (v !== null && typeof v === "object" && path.length < TASMOTA_MAX_DEPTH) {
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, String(i)]));
      else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, k]);
    }
  };
  for (const k of Object.keys(obj)) walk(obj[k], [k]);
  return out;
}

/** `ON`/`OFF` (or the device's StateText) as 1/0; null for anything else. */
function powerValue(text: string, dev: Pick<TasmotaDevice, "on" | "off">): 1 | 0 | null {
  const t = text.trim();
  if (t === dev.on || t.toUpperCase() === "ON" || t === "1") return 1;
  if (t === dev.off || t.toUpperCase() === "OFF" || t === "0") return 0;
  return null;
}

// ---- topics -----------------------------------------------------------------------------------

interface Located {
  topic: string;
  prefix: TasmotaPrefix;
  /** The last level: `SENSOR`, `LWT`, `RESULT`, `POWER1`. */
  suffix: string;
  /** Set when discovery taught the layout. */
  dev: TasmotaDevice | null;
}

const DEFAULT_DEVICE: Pick<TasmotaDevice, "on" | "off" | "units" | "online" | "offline"> = { on: "ON", off: "OFF", units: {}, online: "Online", offline: "Offline" };

/** Which device and prefix a topic is: learned full topics first, then the default layout. */
function locate(topic: string, state: TasmotaState): Located | null {
  const slash = topic.lastIndexOf("/");
  if (slash <= 0) return null;
  const base = topic.slice(0, slash + 1);
  const suffix = topic.slice(slash + 1);
  if (suffix === "") return null;
  const learned = state.bases.get(base);
  if (learned) {
    const dev = state.devices.get(learned.mac);
    if (dev) return { topic: dev.topic, prefix: learned.prefix, suffix, dev };
  }
  const levels = topic.split("/");
  if (levels.length !== 3 || !(PREFIXES as readonly string[]).includes(levels[0]!) || levels[1] === "") return null;
  return { topic: levels[1]!, prefix: levels[0] as TasmotaPrefix, suffix, dev: null };
}

function claimsTopic(topic: string, state: TasmotaState): boolean {
  if (topic.startsWith("tele/") || topic.startsWith("stat/") || topic.startsWith("cmnd/") || topic.startsWith(TASMOTA_DISCOVERY_PREFIX)) return true;
  // Most brokers' traffic is not Tasmota's: no learned layout, no string cut per message.
  if (state.bases.size === 0) return false;
  const slash = topic.lastIndexOf("/");
  return slash > 0 && state.bases.has(topic.slice(0, slash + 1));
}

// ---- reading ----------------------------------------------------------------------------------

function readLwt(m: Inbound, facts: DeviceFacts, dev: Pick<TasmotaDevice, "online" | "offline">): Interpretation {
  const text = (m.text ?? "").trim();
  const status = text === dev.online || text === "Online" ? "online" : text === dev.offline || text === "Offline" ? "offline" : null;
  if (status === null) return { device: facts.id, facts: [facts], problem: `Tasmota LWT ${JSON.stringify(text.slice(0, 40))} is neither ${dev.online} nor ${dev.offline}` };
  // Offline is the broker speaking the device's will, not the device.
  facts.seen = !m.retain && status === "online";
  facts.liveness = { status, reason: `Tasmota LWT ${text}`, since: m.ts };
  return { device: facts.id, facts: [facts] };
}

/** SENSOR, STATE and the STATUS answers that wrap them (`{"StatusSNS":{…}}`). */
function readTelemetry(m: Inbound, facts: DeviceFacts, dev: Pick<TasmotaDevice, "on" | "off" | "units">, wrapped: boolean): Interpretation {
  let json = jsonObjectOf(m.text);
  if (json === null) return { device: facts.id, facts: [facts], problem: m.text === null ? "too_large" : "not_json_object" };
  if (wrapped) {
    const inner = json.StatusSNS ?? json.StatusSTS;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return { device: facts.id, facts: [facts] };
    json = inner as Record<string, unknown>;
  }
  // The message's own TempUnit wins over what discovery said (it may have changed since).
  const flat = flatten(json, m.topic, { ...dev, units: { ...dev.units, ...unitsOf(json) } });
  facts.measurements = flat.values;
  const out: Interpretation = { device: facts.id, facts: [facts] };
  if (flat.truncated) out.problem = `Tasmota: more than ${TASMOTA_MAX_FIELDS} numbers in one message`;
  else if (Object.keys(flat.values).length === 0 && !wrapped) out.problem = "no_numbers";
  return out;
}

/** `stat/<t>/RESULT`: the POWER answers chart; the rest answers other commands. */
function readResult(m: Inbound, facts: DeviceFacts, dev: Pick<TasmotaDevice, "on" | "off">): Interpretation {
  const json = jsonObjectOf(m.text);
  if (json === null) return { device: facts.id, facts: [facts], problem: m.text === null ? "too_large" : "Tasmota RESULT is not a JSON object" };
  const measurements: Record<string, Measurement> = {};
  for (const k of Object.keys(json)) {
    const v = json[k];
    const on = POWER_KEY.test(k) && typeof v === "string" ? powerValue(v, dev) : null;
    if (on !== null) measurements[k] = { value: on, topic: m.topic };
  }
  if (Object.keys(measurements).length > 0) facts.measurements = measurements;
  return { device: facts.id, facts: [facts] };
}

function readDeviceTopic(m: Inbound, at: Located): Interpretation | null {
  const dev = at.dev;
  const facts = baseFacts(at.topic, dev?.name ?? at.topic, !m.retain);
  const id = facts.id;
  if (at.prefix === "cmnd") {
    // A controller's request: the device's, if it is one we know, but not the device speaking.
    // The group topic is every device's and none's.
    return at.topic === GROUP_TOPIC ? null : { device: id, facts: [] };
  }
  const known = dev ?? DEFAULT_DEVICE;
  const suffix = at.suffix.toUpperCase();
  if (at.prefix === "tele" && suffix === "LWT") return readLwt(m, facts, known);
  if (at.prefix === "tele" && (suffix === "SENSOR" || suffix === "STATE")) {
    const out = readTelemetry(m, facts, known, false);
    // Without discovery, the POWER keys a STATE shows are the relays there are.
    if (!dev && suffix === "STATE" && facts.measurements) {
      const relays = Object.keys(facts.measurements).filter((k) => POWER_KEY.test(k));
      // A lone `POWER` is relay 1 (Tasmota answers Power1 with POWER): the same Power1 its discovery names,
      // so which of the two came first does not change the command's name.
      if (relays.length > 0) facts.commands = powerCommands(`cmnd/${at.topic}/`, [...new Set(relays.map((k) => Number(k.slice(5) || "1")))]);
    }
    return out;
  }
  if (at.prefix === "stat" && /^STATUS1[01]$|^STATUS8$/.test(suffix)) return readTelemetry(m, facts, known, true);
  if (at.prefix === "stat" && suffix === "RESULT") return readResult(m, facts, known);
  if (at.prefix === "stat" && POWER_KEY.test(suffix)) {
    const on = powerValue(m.text ?? "", known);
    if (on !== null) facts.measurements = { [suffix]: { value: on, topic: m.topic } };
    return { device: id, facts: [facts] };
  }
  if (at.prefix === "tele" && suffix === "INFO1") {
    // `{"Info1":{"Module":"Sonoff Basic",…}}` (older firmware sends it unwrapped).
    const json = jsonObjectOf(m.text);
    const info = json?.Info1 ?? json;
    const module = info !== null && typeof info === "object" && !Array.isArray(info) ? (info as Record<string, unknown>).Module : undefined;
    if (typeof module === "string" && module !== "") facts.model = clip(module);
    facts.maker = "Tasmota";
  }
  return { device: id, facts: [facts] };
}

// ---- commands ---------------------------------------------------------------------------------

const POWER_STATES = new Set(["ON", "OFF", "TOGGLE"]);

/** The RESULT keys a PowerN command is answered by: a single relay answers `POWER` to `Power1`. */
function answerKeys(key: string): string[] {
  return key === "POWER" || key === "POWER1" ? ["POWER", "POWER1"] : [key];
}

function statBaseFor(cmndTopic: string, state: TasmotaState): string | null {
  const base = cmndTopic.slice(0, cmndTopic.lastIndexOf("/") + 1);
  const learned = state.bases.get(base);
  if (learned?.prefix === "cmnd") return state.devices.get(learned.mac)?.bases.stat ?? null;
  return base.startsWith("cmnd/") && base.split("/").length === 3 ? `stat/${base.slice("cmnd/".length)}` : null;
}

/** A device name usable in access rules: one level, no wildcards, not a `$` topic. */
const accessName = (name: string) => LEVEL.test(name) && !name.startsWith("$");

export const tasmota: Convention<TasmotaState> = {
  id: "tasmota",
  label: "Tasmota",
  filters: ["tele/+/+", "stat/+/+", "cmnd/+/+", `${TASMOTA_DISCOVERY_PREFIX}#`],
  learnedFilters(state) {
    const out = new Set<string>();
    for (const base of state.bases.keys()) {
      // The default layout's bases are in `filters` already.
      if (!/^(tele|stat|cmnd)\/[^/]+\/$/.test(base)) out.add(`${base}+`);
    }
    return [...out];
  },
  initialState: () => ({ devices: new Map(), bases: new Map(), unitsByMac: new Map() }),
  claims: claimsTopic,

  interpret(m, state) {
    if (m.topic.startsWith(TASMOTA_DISCOVERY_PREFIX)) {
      const rest = m.topic.slice(TASMOTA_DISCOVERY_PREFIX.length).split("/");
      if (rest.length !== 2) return null;
      const [mac, kind] = rest as [string, string];
      if (!/^[0-9A-Fa-f]{12}$/.test(mac)) return { device: null, facts: [], problem: `Tasmota discovery: ${JSON.stringify(mac.slice(0, 40))} is not a MAC` };
      if (kind === "config") return readConfig(m, mac.toUpperCase(), state);
      if (kind === "sensors") return readSensorsDiscovery(m, mac.toUpperCase(), state);
      return null;
    }
    const at = locate(m.topic, state);
    return at ? readDeviceTopic(m, at) : null;
  },

  encodeCommand(_device, command, args, _id, state) {
    const name = command.topic.slice(command.topic.lastIndexOf("/") + 1);
    if (!/^Power([1-9]\d?)?$/.test(name)) throw new Error(`${command.name} is not a Tasmota Power command`);
    const s = args.state;
    if (typeof s !== "string" || !POWER_STATES.has(s)) throw new Error("state must be one of \"ON\", \"OFF\", \"TOGGLE\"");
    const stat = statBaseFor(command.topic, state);
    if (stat === null) throw new Error(`${command.topic} is not a Tasmota command topic`);
    const request: Outbound = { topic: command.topic, payload: s, qos: 1, retain: false };
    const expect: Expectation = { kind: "echo", topic: `${stat}RESULT`, path: [name.toUpperCase()], value: s };
    return { request, expect };
  },

  confirms(expect, m, state) {
    if (expect.kind !== "echo" || expect.path.length !== 1 || !expect.topic.endsWith("/RESULT")) return null;
    const key = expect.path[0]!;
    const keys = answerKeys(key);
    const statBase = expect.topic.slice(0, -"RESULT".length);
    const dev = state.devices.get(state.bases.get(statBase)?.mac ?? "") ?? DEFAULT_DEVICE;
    let answer: string | null = null;
    if (m.topic === expect.topic) {
      const json = jsonObjectOf(m.text);
      if (json === null) return null;
      // `{"Command":"Error"}` / `"Unknown"`: Tasmota refused what it was sent.
      if (typeof json.Command === "string" && /^(Error|Unknown)$/i.test(json.Command)) return { ok: false, error: `Tasmota answered Command ${json.Command}` };
      const k = keys.find((k) => typeof json[k] === "string");
      answer = k === undefined ? null : (json[k] as string);
    } else if (keys.some((k) => m.topic === `${statBase}${k}`)) {
      // SetOption4 answers on `stat/<t>/POWER1` instead of RESULT.
      answer = m.text;
    }
    if (answer === null) return null;
    const on = powerValue(answer, dev);
    if (on === null) return null;
    // TOGGLE has no expected state: any answer is the relay's new one.
    if (expect.value !== "TOGGLE" && (on === 1 ? "ON" : "OFF") !== expect.value) return null;
    return { ok: true, result: { [key]: on === 1 ? "ON" : "OFF" } };
  },

  deviceAccess(name) {
    if (!accessName(name)) return { publish: [], subscribe: [] };
    return {
      publish: [`tele/${name}/#`, `stat/${name}/#`, `${TASMOTA_DISCOVERY_PREFIX}+/config`, `${TASMOTA_DISCOVERY_PREFIX}+/sensors`],
      subscribe: [`cmnd/${name}/#`, `cmnd/${GROUP_TOPIC}/#`],
    };
  },
};
