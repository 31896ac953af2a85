import "server-only";
/**
 * A Zigbee2MQTT bridge (zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html): ONE MQTT
 * connection for all of its Zigbee devices, as the real bridge is, under the base `zigbee2mqtt`.
 *
 * - `bridge/state` `{"state":"online"}` retained, the Will `{"state":"offline"}`, and `offline`
 *   again on a clean stop (the bridge's own shutdown does the same).
 * - `bridge/devices` retained: the coordinator, then per device the fields the bridge's
 *   publishDevices gives (ieee_address, type, network_address, supported, friendly_name,
 *   definition {model, vendor, description, exposes, supports_ota, options}, power_source, …).
 * - `<friendly name>/availability` `{"state":"online"}` retained; `<friendly name>` the device's
 *   state JSON at the fleet's rate.
 * - Devices alternate: Aqara WSDCGQ11LM climate sensors (EndDevice, battery) and, every third,
 *   a Tuya TS011F metering plug (Router) with an `ON`/`OFF`/`TOGGLE` switch. Friendly names may
 *   hold `/` (`living room/sensor 2`), as the docs allow for structuring.
 * - Requests: subscribed to `zigbee2mqtt/#` as the bridge is, a topic is a request when it is
 *   `<known name>/set` (a JSON object) or `<known name>/set/<attribute>` (the bare value); the
 *   names come from the list, never from splitting the topic, since a name may hold `/`.
 *   `state` ON/OFF/TOGGLE (any case, as the converters take it) on a plug → the full state.
 */
import type { Noise, SimConnection, SimContext, SimDevice } from "./index";

export const Z2M_BASE = "zigbee2mqtt";
type OnOff = "ON" | "OFF";

const ACCESS_STATE = 1;
/** STATE | SET | GET: reported, settable, readable. */
const ACCESS_ALL = 7;

type Expose = Record<string, unknown>;
const numeric = (name: string, unit: string, description: string, extra: Expose = {}): Expose => ({
  type: "numeric",
  name,
  label: name[0]!.toUpperCase() + name.slice(1),
  property: name,
  access: ACCESS_STATE,
  unit,
  description,
  ...extra,
});
const LINKQUALITY = numeric("linkquality", "lqi", "Link quality (signal strength)", { value_min: 0, value_max: 255, category: "diagnostic" });

/** zigbee-herdsman-converters' exposes for the two models (lib/exposes.ts presets). */
const SENSOR_EXPOSES: Expose[] = [
  numeric("temperature", "°C", "Measured temperature value"),
  numeric("humidity", "%", "Measured relative humidity"),
  numeric("pressure", "hPa", "The measured atmospheric pressure"),
  numeric("battery", "%", "Remaining battery in %, can take up to 24 hours before reported", { value_min: 0, value_max: 100, category: "diagnostic" }),
  numeric("voltage", "mV", "Voltage of the battery in millivolts", { category: "diagnostic" }),
  LINKQUALITY,
];
const PLUG_EXPOSES: Expose[] = [
  {
    type: "switch",
    features: [
      { type: "binary", name: "state", label: "State", property: "state", access: ACCESS_ALL, value_on: "ON", value_off: "OFF", value_toggle: "TOGGLE", description: "On/off state of the switch" },
    ],
  },
  numeric("power", "W", "Instantaneous measured power", { access: 5 }),
  numeric("current", "A", "Instantaneous measured electrical current", { access: 5 }),
  numeric("voltage", "V", "Measured electrical potential value", { access: 5 }),
  numeric("energy", "kWh", "Sum of consumed energy", { access: 5 }),
  LINKQUALITY,
];

interface Model {
  type: "EndDevice" | "Router";
  model: string;
  vendor: string;
  description: string;
  powerSource: string;
  exposes: Expose[];
}
const SENSOR: Model = { type: "EndDevice", model: "WSDCGQ11LM", vendor: "Aqara", description: "Temperature and humidity sensor", powerSource: "Battery", exposes: SENSOR_EXPOSES };
const PLUG: Model = { type: "Router", model: "TS011F_plug_1", vendor: "Tuya", description: "Smart plug (with power monitoring)", powerSource: "Mains (single phase)", exposes: PLUG_EXPOSES };

const TEMPERATURE = { min: 16, max: 28, rate: 0.2, digits: 2 };
const HUMIDITY = { min: 30, max: 70, rate: 0.5, digits: 2 };
const PRESSURE = { min: 990, max: 1030, rate: 0.2, digits: 1 };
const LQI = { min: 60, max: 200, rate: 5, digits: 0 };
const POWER = { min: 5, max: 60, rate: 2, digits: 1 };
const MAINS = { min: 226, max: 234, rate: 0.5, digits: 1 };

interface SensorState {
  temperature: number;
  humidity: number;
  pressure: number;
  battery: number;
  linkquality: number;
  /** Battery, mV. */
  voltage: number;
}

interface PlugState {
  state: OnOff;
  power: number;
  current: number;
  /** Mains, V. */
  voltage: number;
  energy: number;
  linkquality: number;
}

interface Common {
  index: number;
  ieee: string;
  name: string;
  noise: Noise;
}
type ZigbeeDevice = (Common & { kind: "sensor"; state: SensorState }) | (Common & { kind: "plug"; state: PlugState });

const modelOf = (d: ZigbeeDevice) => (d.kind === "plug" ? PLUG : SENSOR);

/** Stable per index, so a restarted bridge lists the same devices. */
export function z2mFriendlyName(i: number): string {
  const n = i + 1;
  const kind = n % 3 === 0 ? "plug" : "sensor";
  const room = ["kitchen/", "", "living room/"][n % 3];
  return `${room}${kind} ${n}`;
}

export const z2mIeee = (i: number) => `0x00158d00${(0x01a20000 + i).toString(16).padStart(8, "0")}`;
const COORDINATOR_IEEE = "0x00124b0012345678";

export function createZigbee2mqttBridge(count: number, ctx: SimContext): SimDevice {
  return new Zigbee2mqttBridge(count, ctx);
}

class Zigbee2mqttBridge implements SimDevice {
  private readonly devices: ZigbeeDevice[];
  private readonly byName = new Map<string, ZigbeeDevice>();
  private conn: SimConnection | null = null;

  constructor(
    count: number,
    private readonly ctx: SimContext,
  ) {
    this.devices = Array.from({ length: count }, (_, i) => this.createDevice(i));
    for (const d of this.devices) this.byName.set(d.name, d);
  }

  private createDevice(index: number): ZigbeeDevice {
    const name = z2mFriendlyName(index);
    const ieee = z2mIeee(index);
    const noise = this.ctx.noise(ieee);
    const common = { index, ieee, name, noise };
    if (!name.includes("plug")) {
      const state = { temperature: noise.start(TEMPERATURE), humidity: noise.start(HUMIDITY), pressure: noise.start(PRESSURE), battery: 97, linkquality: noise.start(LQI), voltage: 3005 };
      return { ...common, kind: "sensor", state };
    }
    const state: PlugState = { state: "ON", power: noise.start(POWER), current: 0, voltage: noise.start(MAINS), energy: 0.1, linkquality: noise.start(LQI) };
    settlePlug(state);
    return { ...common, kind: "plug", state };
  }

  private bridgeState(state: "online" | "offline") {
    return { topic: `${Z2M_BASE}/bridge/state`, payload: JSON.stringify({ state }), qos: 1 as const, retain: true };
  }

  start(): Promise<void> {
    const conn = this.ctx.connect({ name: Z2M_BASE, clientId: "fleetscope-sim-zigbee2mqtt", will: this.bridgeState("offline") });
    this.conn = conn;
    conn.client.on("message", (topic, payload) => this.onMessage(topic, payload.toString("utf8")));
    conn.every((dtS) => this.tick(dtS));
    return conn.onConnect(() => this.announce(conn));
  }

  private async announce({ client }: SimConnection) {
    const retained = { qos: 1 as const, retain: true };
    const online = this.bridgeState("online");
    const sent = [
      client.publishAsync(online.topic, online.payload, retained),
      client.publishAsync(`${Z2M_BASE}/bridge/devices`, JSON.stringify(this.deviceList()), retained),
      ...this.devices.flatMap((d) => [
        client.publishAsync(`${Z2M_BASE}/${d.name}/availability`, JSON.stringify({ state: "online" }), retained),
        client.publishAsync(`${Z2M_BASE}/${d.name}`, JSON.stringify(d.state), { qos: 0 }),
      ]),
    ];
    await Promise.all([...sent, client.subscribeAsync(`${Z2M_BASE}/#`, { qos: 1 })]);
  }

  private deviceList(): Record<string, unknown>[] {
    const coordinator = {
      ieee_address: COORDINATOR_IEEE,
      type: "Coordinator",
      network_address: 0,
      supported: true,
      friendly_name: "Coordinator",
      disabled: false,
      definition: null,
      interviewing: false,
      interview_completed: true,
      endpoints: { "1": { bindings: [], configured_reportings: [], clusters: { input: [], output: [] }, scenes: [] } },
    };
    return [coordinator, ...this.devices.map((d) => deviceEntry(d))];
  }

  private tick(dtS: number) {
    for (const d of this.devices) {
      stepDevice(d, dtS);
      this.conn?.client.publish(`${Z2M_BASE}/${d.name}`, JSON.stringify(d.state), { qos: 0 });
    }
  }

  private onMessage(topic: string, payload: string) {
    const request = this.requestOf(topic, payload);
    // A sensor has nothing to set; the bridge would log "No converter available" and do nothing.
    if (!request || request.device.kind !== "plug") return;
    const { device, values } = request;
    const next = switchState(device.state.state, values.state);
    if (next === null) return;
    device.state.state = next;
    settlePlug(device.state);
    // The bridge answers a set with the device's whole state, not just what changed.
    this.conn?.client.publish(`${Z2M_BASE}/${device.name}`, JSON.stringify(device.state), { qos: 0 });
  }

  /** `<name>/set` with a JSON object, or `<name>/set/<attribute>` with the bare value. */
  private requestOf(topic: string, payload: string): { device: ZigbeeDevice; values: Record<string, unknown> } | null {
    const prefix = `${Z2M_BASE}/`;
    if (!topic.startsWith(prefix)) return null;
    const rest = topic.slice(prefix.length);
    if (rest.endsWith("/set")) {
      const device = this.byName.get(rest.slice(0, -"/set".length));
      const values = jsonObject(payload);
      return device && values ? { device, values } : null;
    }
    const at = rest.lastIndexOf("/set/");
    if (at < 0) return null;
    const device = this.byName.get(rest.slice(0, at));
    return device ? { device, values: { [rest.slice(at + "/set/".length)]: payload } } : null;
  }

  async stop(): Promise<void> {
    await this.conn?.close(this.bridgeState("offline"));
    this.conn = null;
  }
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** ON, OFF or TOGGLE in any case, as the on/off converter takes them; null for anything else. */
export function switchState(current: OnOff, requested: unknown): OnOff | null {
  if (typeof requested !== "string") return null;
  const r = requested.toUpperCase();
  if (r === "TOGGLE") return current === "ON" ? "OFF" : "ON";
  return r === "ON" || r === "OFF" ? r : null;
}

function deviceEntry(d: ZigbeeDevice): Record<string, unknown> {
  const model = modelOf(d);
  return {
    ieee_address: d.ieee,
    type: model.type,
    network_address: 0x1000 + d.index,
    supported: true,
    friendly_name: d.name,
    disabled: false,
    definition: { model: model.model, vendor: model.vendor, description: model.description, exposes: model.exposes, supports_ota: d.kind === "plug", options: [] },
    power_source: model.powerSource,
    model_id: d.kind === "plug" ? "TS011F" : "lumi.weather",
    manufacturer: d.kind === "plug" ? "_TZ3000_sim" : "LUMI",
    interviewing: false,
    interview_completed: true,
    endpoints: { "1": { bindings: [], configured_reportings: [], clusters: { input: [], output: [] }, scenes: [] } },
  };
}

/** A plug's current follows its power and mains voltage; off, it draws nothing. */
function settlePlug(s: PlugState) {
  if (s.state === "OFF") s.power = 0;
  s.current = Number((s.power / s.voltage).toFixed(3));
}

function stepDevice(d: ZigbeeDevice, dtS: number) {
  const { noise } = d;
  d.state.linkquality = noise.drift(d.state.linkquality, LQI, dtS);
  if (d.kind === "sensor") {
    const s = d.state;
    s.temperature = noise.drift(s.temperature, TEMPERATURE, dtS);
    s.humidity = noise.drift(s.humidity, HUMIDITY, dtS);
    s.pressure = noise.drift(s.pressure, PRESSURE, dtS);
    return;
  }
  const s = d.state;
  s.voltage = noise.drift(s.voltage, MAINS, dtS);
  if (s.state === "ON") {
    s.power = noise.drift(s.power || POWER.min, POWER, dtS);
    s.energy = Number((s.energy + (s.power * dtS) / 3_600_000).toFixed(4));
  }
  settlePlug(s);
}
