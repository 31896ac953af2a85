import "server-only";
/**
 * Homie 5 devices (homieiot.github.io/specification, convention v5.0), `homie/5/thermo-NN`:
 *
 * - Will: `$state` `lost`, retained. On connect `$state` `init`, the retained `$description`,
 *   the retained property values, the `/set` subscription, then `$state` `ready`: a controller
 *   may rely on everything being there once it reads `ready`.
 * - `sensor/temperature` (float °C) and `sensor/humidity` (integer %) drift at the fleet's rate;
 *   `switch/on` (boolean, settable, retained) answers `…/switch/on/set` `true`/`false` by
 *   publishing the new value to `…/switch/on`; any other payload is not a boolean and is ignored.
 * - A clean stop sets `$state` `disconnected`, as the lifecycle says of an orderly disconnect.
 *
 * QoS 2 for the retained attributes, as v5 recommends; QoS 1 for the periodic values, which are
 * idempotent (a duplicate is the same retained value), so the exactly-once handshake buys nothing.
 */
import type { Noise, SimConnection, SimContext, SimDevice } from "./index";

export const HOMIE_ROOT = "homie/5";
const two = (n: number) => String(n).padStart(2, "0");
/** Homie ids are lowercase letters, digits and hyphens. */
export const homieDeviceId = (i: number) => `thermo-${two(i + 1)}`;

const TEMPERATURE = { min: 16, max: 28, rate: 0.2, digits: 2 };
const HUMIDITY = { min: 30, max: 70, rate: 1, digits: 0 };

export function homieDescription(name: string) {
  return {
    homie: "5.0",
    // The description never changes, so its version never has to.
    version: 1,
    name,
    nodes: {
      sensor: {
        name: "Sensor",
        properties: {
          temperature: { name: "Temperature", datatype: "float", unit: "°C" },
          humidity: { datatype: "integer", unit: "%" },
        },
      },
      switch: { properties: { on: { datatype: "boolean", settable: true, retained: true } } },
    },
  };
}

export function createHomieDevices(count: number, ctx: SimContext): SimDevice[] {
  return Array.from({ length: count }, (_, i) => new HomieDevice(i, ctx));
}

class HomieDevice implements SimDevice {
  private readonly id: string;
  private readonly base: string;
  private readonly noise: Noise;
  private conn: SimConnection | null = null;
  private temperature: number;
  private humidity: number;
  private on = false;

  constructor(
    private readonly index: number,
    private readonly ctx: SimContext,
  ) {
    this.id = homieDeviceId(index);
    this.base = `${HOMIE_ROOT}/${this.id}`;
    this.noise = ctx.noise(this.id);
    this.temperature = this.noise.start(TEMPERATURE);
    this.humidity = this.noise.start(HUMIDITY);
  }

  private state(state: "init" | "ready" | "disconnected" | "lost") {
    return { topic: `${this.base}/$state`, payload: state, qos: 2 as const, retain: true };
  }

  start(): Promise<void> {
    const conn = this.ctx.connect({ name: this.id, clientId: `fleetscope-sim-homie-${this.id}`, will: this.state("lost") });
    this.conn = conn;
    conn.client.on("message", (topic, payload) => this.onSet(topic, payload.toString("utf8")));
    conn.every((dtS) => this.tick(dtS));
    return conn.onConnect(() => this.announce(conn));
  }

  private async announce({ client }: SimConnection) {
    const retained = { qos: 2 as const, retain: true };
    const init = this.state("init");
    // Published in this order without waiting: MQTT.js sends them in order all the same.
    const sent = [
      client.publishAsync(init.topic, init.payload, retained),
      client.publishAsync(`${this.base}/$description`, JSON.stringify(homieDescription(`Sim thermostat ${two(this.index + 1)}`)), retained),
      ...this.values().map(([topic, value]) => client.publishAsync(topic, value, retained)),
    ];
    await Promise.all([...sent, client.subscribeAsync(`${this.base}/switch/on/set`, { qos: 2 })]);
    const ready = this.state("ready");
    await client.publishAsync(ready.topic, ready.payload, retained);
  }

  private values(): [string, string][] {
    return [
      [`${this.base}/sensor/temperature`, String(this.temperature)],
      [`${this.base}/sensor/humidity`, String(this.humidity)],
      [`${this.base}/switch/on`, String(this.on)],
    ];
  }

  private tick(dtS: number) {
    this.temperature = this.noise.drift(this.temperature, TEMPERATURE, dtS);
    this.humidity = this.noise.drift(this.humidity, HUMIDITY, dtS);
    const client = this.conn?.client;
    client?.publish(`${this.base}/sensor/temperature`, String(this.temperature), { qos: 1, retain: true });
    client?.publish(`${this.base}/sensor/humidity`, String(this.humidity), { qos: 1, retain: true });
  }

  /** Homie booleans are exactly `true` or `false`. */
  private onSet(topic: string, payload: string) {
    if (topic !== `${this.base}/switch/on/set` || (payload !== "true" && payload !== "false")) return;
    this.on = payload === "true";
    this.conn?.client.publish(`${this.base}/switch/on`, payload, { qos: 2, retain: true });
  }

  async stop(): Promise<void> {
    await this.conn?.close(this.state("disconnected"));
    this.conn = null;
  }
}
