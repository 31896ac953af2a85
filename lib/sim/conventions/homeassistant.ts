import "server-only";
/**
 * Devices announced by Home Assistant MQTT discovery (home-assistant.io/integrations/mqtt,
 * "MQTT Discovery"): node `node-NN`, one HA device with a temperature and a humidity sensor and a
 * relay switch.
 *
 * - Retained configs on `homeassistant/<component>/sim-node-NN/<object>/config`, the discovery
 *   topic `<prefix>/<component>/[<node_id>/]<object_id>/config`: `sensor/…/temperature`,
 *   `sensor/…/humidity` (one state JSON, read by `value_template`) and `switch/…/relay`.
 * - `simha/node-NN/availability` `online` retained, the Will `offline` (HA's default
 *   payload_available / payload_not_available), and `offline` again on a clean stop.
 * - `simha/node-NN/state` `{"temperature":…,"humidity":…}` at the fleet's rate.
 * - `simha/node-NN/relay/set` `ON`/`OFF` (the config's payload_on/payload_off, which is all HA
 *   sends) → the relay's state, retained, on `simha/node-NN/relay`.
 */
import type { Noise, SimConnection, SimContext, SimDevice } from "./index";

export const HA_DISCOVERY_PREFIX = "homeassistant";
export const HA_STATE_ROOT = "simha";
const two = (n: number) => String(n).padStart(2, "0");
export const haNodeId = (i: number) => `node-${two(i + 1)}`;
const AREAS = ["Kitchen", "Living Room", "Office", "Garage"];

const TEMPERATURE = { min: 17, max: 27, rate: 0.2, digits: 1 };
const HUMIDITY = { min: 30, max: 65, rate: 0.5, digits: 1 };

type Relay = "ON" | "OFF";

export function haTopics(id: string) {
  const root = `${HA_STATE_ROOT}/${id}`;
  return { state: `${root}/state`, availability: `${root}/availability`, relay: `${root}/relay`, relaySet: `${root}/relay/set` };
}

/** The discovery configs, by topic. */
export function haDiscovery(index: number): [string, Record<string, unknown>][] {
  const id = haNodeId(index);
  const t = haTopics(id);
  const node = `sim-${id}`;
  const device = {
    identifiers: [`simha_${id}`],
    name: `Sim HA node ${two(index + 1)}`,
    manufacturer: "Fleetscope",
    model: "Sim HA sensor",
    suggested_area: AREAS[index % AREAS.length],
  };
  const sensor = (object: string, name: string, unit: string) => ({
    name,
    unique_id: `${node}-${object}`,
    state_topic: t.state,
    value_template: `{{ value_json.${object} }}`,
    unit_of_measurement: unit,
    device_class: object,
    state_class: "measurement",
    availability_topic: t.availability,
    device,
  });
  return [
    [`${HA_DISCOVERY_PREFIX}/sensor/${node}/temperature/config`, sensor("temperature", "Temperature", "°C")],
    [`${HA_DISCOVERY_PREFIX}/sensor/${node}/humidity/config`, sensor("humidity", "Humidity", "%")],
    [
      `${HA_DISCOVERY_PREFIX}/switch/${node}/relay/config`,
      {
        name: "Relay",
        unique_id: `${node}-relay`,
        command_topic: t.relaySet,
        state_topic: t.relay,
        payload_on: "ON",
        payload_off: "OFF",
        availability_topic: t.availability,
        device,
      },
    ],
  ];
}

export function createHaDevices(count: number, ctx: SimContext): SimDevice[] {
  return Array.from({ length: count }, (_, i) => new HaDevice(i, ctx));
}

class HaDevice implements SimDevice {
  private readonly id: string;
  private readonly topics: ReturnType<typeof haTopics>;
  private readonly noise: Noise;
  private conn: SimConnection | null = null;
  private temperature: number;
  private humidity: number;
  private relay: Relay = "OFF";

  constructor(
    private readonly index: number,
    private readonly ctx: SimContext,
  ) {
    this.id = haNodeId(index);
    this.topics = haTopics(this.id);
    this.noise = ctx.noise(this.id);
    this.temperature = this.noise.start(TEMPERATURE);
    this.humidity = this.noise.start(HUMIDITY);
  }

  private availability(payload: "online" | "offline") {
    return { topic: this.topics.availability, payload, qos: 1 as const, retain: true };
  }

  start(): Promise<void> {
    const conn = this.ctx.connect({ name: this.id, clientId: `fleetscope-sim-ha-${this.id}`, will: this.availability("offline") });
    this.conn = conn;
    conn.client.on("message", (topic, payload) => this.onSet(topic, payload.toString("utf8")));
    conn.every((dtS) => this.tick(dtS));
    return conn.onConnect(() => this.announce(conn));
  }

  /** Configs first, so HA has the entities when availability and state arrive. */
  private async announce({ client }: SimConnection) {
    const retained = { qos: 1 as const, retain: true };
    const configs = haDiscovery(this.index).map(([topic, config]) => client.publishAsync(topic, JSON.stringify(config), retained));
    await Promise.all([...configs, client.subscribeAsync(this.topics.relaySet, { qos: 1 })]);
    const online = this.availability("online");
    await Promise.all([
      client.publishAsync(online.topic, online.payload, retained),
      client.publishAsync(this.topics.relay, this.relay, retained),
      client.publishAsync(this.topics.state, this.stateJson(), { qos: 0 }),
    ]);
  }

  private stateJson(): string {
    return JSON.stringify({ temperature: this.temperature, humidity: this.humidity });
  }

  private tick(dtS: number) {
    this.temperature = this.noise.drift(this.temperature, TEMPERATURE, dtS);
    this.humidity = this.noise.drift(this.humidity, HUMIDITY, dtS);
    this.conn?.client.publish(this.topics.state, this.stateJson(), { qos: 0 });
  }

  private onSet(topic: string, payload: string) {
    if (topic !== this.topics.relaySet || (payload !== "ON" && payload !== "OFF")) return;
    this.relay = payload;
    this.conn?.client.publish(this.topics.relay, payload, { qos: 1, retain: true });
  }

  async stop(): Promise<void> {
    await this.conn?.close(this.availability("offline"));
    this.conn = null;
  }
}
