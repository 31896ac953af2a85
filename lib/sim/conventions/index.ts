import "server-only";
/**
 * Simulated devices that speak the public conventions Fleetscope reads besides its demo one:
 * Sparkplug B edge nodes, Homie 5 devices, Home Assistant MQTT-discovery devices, one
 * Zigbee2MQTT bridge with its Zigbee devices, and Tasmota plugs. `mixed` splits the devices
 * across those five and the demo arms of lib/sim/fleet.ts.
 *
 * Shaped like the demo Fleet: one MQTT connection per device (the Zigbee2MQTT bridge is one for
 * all of its devices, as the real bridge is), `start()` resolves once every device is connected,
 * has announced itself and is subscribed to its commands, `stop()` says offline the way each
 * convention does on a clean disconnect (a clean DISCONNECT sends no Will) and disconnects.
 *
 * The kinds (one a file) get what they share — the connection, the tick, the seeded noise —
 * from a SimContext made here, and import only its types from this module, so no module cycle.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { FaultShares } from "../arm";
import { Fleet } from "../fleet";
import { createHaDevices } from "./homeassistant";
import { createHomieDevices } from "./homie";
import { createSparkplugNodes } from "./sparkplug";
import { createTasmotaDevices } from "./tasmota";
import { createZigbee2mqttBridge } from "./zigbee2mqtt";

export const SIM_CONVENTIONS = ["demo", "sparkplug", "homie", "ha", "z2m", "tasmota", "mixed"] as const;
export type SimConvention = (typeof SIM_CONVENTIONS)[number];
export type DeviceKind = Exclude<SimConvention, "mixed">;
/** The order `mixed` hands out devices in, so a small fleet still gets one of each first. */
export const MIXED_KINDS: readonly DeviceKind[] = ["demo", "sparkplug", "homie", "ha", "z2m", "tasmota"];

export interface Credentials {
  username?: string;
  password?: string;
}

export interface ConventionFleetOptions {
  url: string;
  convention: SimConvention;
  devices: number;
  rateHz?: number;
  /**
   * Each connection's MQTT username and password, by the name FLEETSCOPE_DEVICE_CREDENTIALS gives
   * it (lib/config/device-credentials.ts): the arm id, Sparkplug `<group>/<edge node>`, the Homie
   * device id, the HA node id, the Zigbee2MQTT base topic, the Tasmota topic.
   */
  credentials?: (name: string, kind: DeviceKind) => Credentials;
  /** Sparkplug: skip a seq number every this many DDATA, so hosts' gap detection can be tested. */
  dropSeqEvery?: number;
  /** Demo arms: how often they fail commands and lose replies. */
  faults?: FaultShares;
  protocolVersion?: 4 | 5;
  /** Fixes the run's random streams (tests); by default a new seed per run. */
  seed?: number;
}

export interface SimDevice {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A message a device sends itself before a clean disconnect: the Will's clean counterpart. */
export interface LastWords {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export interface ConnectOptions {
  /** The credentials name (see ConventionFleetOptions.credentials). */
  name: string;
  clientId: string;
  will: LastWords;
}

/** What every kind gets from the fleet. */
export interface SimContext {
  readonly rateHz: number;
  /** A random stream of its own for `key`, seeded per run. */
  noise(key: string): Noise;
  connect(opts: ConnectOptions): SimConnection;
}

export interface SimConnection {
  readonly client: MqttClient;
  /**
   * Runs `announce` at every (re)connect (births, retained descriptions, subscriptions) and
   * resolves once the first has finished: started means ready for commands.
   */
  onConnect(announce: () => Promise<void>): Promise<void>;
  /** Calls `tick(dtS)` at the fleet's rate while connected and announced. */
  every(tick: (dtS: number) => void): void;
  /** Publishes `last` if connected (a clean DISCONNECT sends no Will), then disconnects. */
  close(last?: LastWords, opts?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  /**
   * On MQTT 5, have the broker publish the Will instead (DISCONNECT reason 0x04, "Disconnect
   * with Will Message"), as Sparkplug 3.0 asks of an MQTT 5 edge node
   * [tck-id-payloads-ndeath-will-message-publisher-disconnect-mqtt50].
   */
  willOnMqtt5?: boolean;
}

export interface DriftRange {
  min: number;
  max: number;
  /** Largest random change per second. */
  rate: number;
  digits?: number;
}

/** mulberry32 (as lib/sim/arm.ts): small, fast and good enough for plausible noise. */
export class Noise {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Somewhere in the middle part of the range, to start from. */
  start(r: DriftRange): number {
    return round(r.min + (r.max - r.min) * (0.3 + 0.4 * this.next()), r.digits);
  }

  /** A small random step, pulled gently back towards the middle: a smooth wander within the range. */
  drift(value: number, r: DriftRange, dtS: number): number {
    const step = (this.next() - 0.5) * 2 * r.rate * dtS;
    const pull = ((r.min + r.max) / 2 - value) * Math.min(1, 0.02 * dtS);
    return round(Math.min(r.max, Math.max(r.min, value + step + pull)), r.digits);
  }
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** FNV-1a: one seed per device from its kind and name, stable whatever the fleet's size. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

class Connection implements SimConnection {
  private readonly timers: NodeJS.Timeout[] = [];
  /** False from a connection's loss until its announcement is out again. */
  private announced = false;

  constructor(
    readonly client: MqttClient,
    private readonly rateHz: number,
  ) {
    client.on("error", () => undefined); // reconnects by itself; the bridge reports broker health
    client.on("close", () => {
      this.announced = false;
    });
  }

  onConnect(announce: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      this.client.on("connect", () => {
        announce().then(
          () => {
            this.announced = true;
            resolve();
          },
          // Lost again half-way: the next connect announces afresh.
          () => undefined,
        );
      });
    });
  }

  every(tick: (dtS: number) => void): void {
    const dtS = 1 / this.rateHz;
    this.timers.push(
      setInterval(() => {
        if (this.client.connected && this.announced) tick(dtS);
      }, 1000 / this.rateHz),
    );
  }

  async close(last?: LastWords, opts: CloseOptions = {}): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    if (opts.willOnMqtt5 && this.client.options.protocolVersion === 5) {
      await this.client.endAsync(false, { reasonCode: 0x04 });
      return;
    }
    if (last && this.client.connected) {
      await this.client.publishAsync(last.topic, last.payload, { qos: last.qos, retain: last.retain }).catch(() => undefined);
    }
    await this.client.endAsync();
  }
}

/** How `mixed` shares `devices` out: evenly, the first kinds one more when it does not divide. */
export function splitDevices(devices: number, kinds: readonly DeviceKind[] = MIXED_KINDS): Map<DeviceKind, number> {
  const out = new Map<DeviceKind, number>();
  kinds.forEach((kind, i) => out.set(kind, Math.floor(devices / kinds.length) + (i < devices % kinds.length ? 1 : 0)));
  return out;
}

export class ConventionFleet {
  private readonly devices: SimDevice[] = [];

  constructor(private readonly opts: ConventionFleetOptions) {}

  /** How many devices of each kind this fleet runs. */
  shares(): Map<DeviceKind, number> {
    const { convention, devices } = this.opts;
    return convention === "mixed" ? splitDevices(devices) : new Map([[convention, devices]]);
  }

  /** Resolves once every device is connected, has announced itself and listens for commands. */
  async start(): Promise<void> {
    // A seed per run, as the demo fleet: a restarted fleet must not send byte-for-byte the same
    // messages, which the store would take for redeliveries.
    const runSeed = (this.opts.seed ?? Date.now()) >>> 0;
    for (const [kind, count] of this.shares()) {
      if (count > 0) this.devices.push(...this.create(kind, count, this.context(kind, runSeed)));
    }
    await Promise.all(this.devices.map((d) => d.start()));
  }

  /** Every device says offline as its convention does, then disconnects. */
  async stop(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.stop()));
    this.devices.length = 0;
  }

  private create(kind: DeviceKind, count: number, ctx: SimContext): SimDevice[] {
    switch (kind) {
      case "demo":
        return [this.demoFleet(count)];
      case "sparkplug":
        return createSparkplugNodes(count, ctx, { dropSeqEvery: this.opts.dropSeqEvery });
      case "homie":
        return createHomieDevices(count, ctx);
      case "ha":
        return createHaDevices(count, ctx);
      case "z2m":
        return [createZigbee2mqttBridge(count, ctx)];
      case "tasmota":
        return createTasmotaDevices(count, ctx);
    }
  }

  private demoFleet(count: number): Fleet {
    const { credentials } = this.opts;
    return new Fleet({
      url: this.opts.url,
      devices: count,
      rateHz: this.opts.rateHz,
      faults: this.opts.faults,
      protocolVersion: this.opts.protocolVersion,
      credentials: credentials ? (id) => credentials(id, "demo") : undefined,
    });
  }

  private context(kind: DeviceKind, runSeed: number): SimContext {
    const rateHz = this.opts.rateHz ?? 2;
    return {
      rateHz,
      noise: (key) => new Noise(hash(`${kind}/${key}`) ^ runSeed),
      connect: ({ name, clientId, will }) => {
        const options: IClientOptions = {
          clientId,
          protocolVersion: this.opts.protocolVersion ?? 4,
          ...this.opts.credentials?.(name, kind),
          reconnectPeriod: 1000,
          will,
        };
        return new Connection(mqtt.connect(this.opts.url, options), rateHz);
      },
    };
  }
}
