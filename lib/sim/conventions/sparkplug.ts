import "server-only";
/**
 * Sparkplug B 3.0 edge nodes (sparkplug.eclipse.org/specification/version/3.0), payloads through
 * Eclipse Tahu's own `sparkplug-payload`, as lib/payload/sparkplug.ts reads them.
 *
 * Edge node `edge-NN` of group `sim`, with one device `dev-NN`:
 * - Will: NDEATH with the connection's `bdSeq` (Int64, as Tahu's Java edge node), QoS 1, not
 *   retained [tck-id-payloads-ndeath-will-message-qos]; `bdSeq` goes up by one per MQTT CONNECT,
 *   wrapping 255 → 0 [tck-id-topics-nbirth-bdseq-increment].
 * - Subscribes `spBv1.0/sim/NCMD/edge-NN` and `spBv1.0/sim/DCMD/edge-NN/+` at QoS 1 before its
 *   NBIRTH [tck-id-message-flow-edge-node-ncmd-subscribe], so a rebirth request sent on seeing
 *   the NBIRTH is not lost. Births and data go at QoS 0, not retained [tck-id-payloads-nbirth-qos].
 * - NBIRTH (seq 0: `bdSeq`, `Node Control/Rebirth` false, `Properties/Hardware Make`), then
 *   DBIRTH (seq 1: `Inputs/temperature` Float °C, `Inputs/pressure` Double kPa, `Outputs/LED`
 *   Boolean), names and aliases; then DDATA by alias only. One seq per edge node across all its
 *   messages, 0..255 wrapping [tck-id-payloads-ddata-seq-inc]; NDEATH carries none
 *   [tck-id-payloads-ndeath-seq]. The NBIRTH's bdSeq is the Will's [tck-id-payloads-nbirth-bdseq-repeat].
 * - NCMD `Node Control/Rebirth` true → NBIRTH and DBIRTH again, seq from 0, same bdSeq (the Will,
 *   and so the session, is unchanged). DCMD `Outputs/LED` (by name or alias) → set, then DDATA.
 * - A clean stop publishes the NDEATH itself before DISCONNECT on MQTT 3.1.1
 *   [tck-id-payloads-ndeath-will-message-publisher-disconnect-mqtt311]; on MQTT 5 it disconnects
 *   with reason 0x04 so the broker publishes the Will.
 */
import { get } from "sparkplug-payload";
import type { Noise, SimConnection, SimContext, SimDevice } from "./index";

const codec = get("spBv1.0")!;
type Payload = Parameters<typeof codec.encodePayload>[0];
type Metric = NonNullable<Payload["metrics"]>[number];

export const SPARKPLUG_NAMESPACE = "spBv1.0";
export const SPARKPLUG_GROUP = "sim";
const two = (n: number) => String(n).padStart(2, "0");
export const sparkplugEdgeNodeId = (i: number) => `edge-${two(i + 1)}`;
export const sparkplugDeviceId = (i: number) => `dev-${two(i + 1)}`;

/**
 * Metric names and aliases; an alias is unique across the edge node and its devices. `bdSeq`
 * has none: NDEATH names it, and Tahu's examples give it none either.
 */
export const SPARKPLUG_METRICS = {
  bdSeq: { name: "bdSeq" },
  rebirth: { name: "Node Control/Rebirth", alias: 1 },
  hardwareMake: { name: "Properties/Hardware Make", alias: 2 },
  temperature: { name: "Inputs/temperature", alias: 10 },
  pressure: { name: "Inputs/pressure", alias: 11 },
  led: { name: "Outputs/LED", alias: 12 },
} as const;

const TEMPERATURE = { min: 15, max: 35, rate: 0.3, digits: 2 };
const PRESSURE = { min: 95, max: 105, rate: 0.1, digits: 3 };

/** The seq after `seq`: 0..255, 255 → 0 [tck-id-payloads-sequence-num-incrementing]. */
export const nextSeq = (seq: number) => (seq + 1) % 256;

/** protobufjs gives 64-bit fields as Long; aliases and values may come either way. */
export function numberOf(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && "toNumber" in v && typeof v.toNumber === "function") {
    const n: unknown = v.toNumber();
    return typeof n === "number" ? n : null;
  }
  return null;
}

const is = (m: Metric, metric: { name: string; alias: number }) => m.name === metric.name || numberOf(m.alias) === metric.alias;

export interface SparkplugOptions {
  dropSeqEvery?: number;
}

export function createSparkplugNodes(count: number, ctx: SimContext, opts: SparkplugOptions): SimDevice[] {
  return Array.from({ length: count }, (_, i) => new SparkplugEdgeNode(i, ctx, opts));
}

class SparkplugEdgeNode implements SimDevice {
  private readonly node: string;
  private readonly device: string;
  private readonly noise: Noise;
  private conn: SimConnection | null = null;
  private bdSeq = 0;
  /** The seq the next message takes. */
  private seq = 0;
  private dataSent = 0;
  /** Births out on this connection: before them a DDATA would reach a host that knows no aliases. */
  private born = false;
  private temperature: number;
  private pressure: number;
  private led = false;

  constructor(
    index: number,
    private readonly ctx: SimContext,
    private readonly opts: SparkplugOptions,
  ) {
    this.node = sparkplugEdgeNodeId(index);
    this.device = sparkplugDeviceId(index);
    this.noise = ctx.noise(this.node);
    this.temperature = this.noise.start(TEMPERATURE);
    this.pressure = this.noise.start(PRESSURE);
  }

  private topic(type: string, device?: string): string {
    return [SPARKPLUG_NAMESPACE, SPARKPLUG_GROUP, type, this.node, ...(device ? [device] : [])].join("/");
  }

  private death() {
    const payload: Payload = { timestamp: Date.now(), metrics: [{ name: SPARKPLUG_METRICS.bdSeq.name, type: "Int64", value: this.bdSeq }] };
    return { topic: this.topic("NDEATH"), payload: Buffer.from(codec.encodePayload(payload)), qos: 1 as const, retain: false };
  }

  start(): Promise<void> {
    const conn = this.ctx.connect({ name: `${SPARKPLUG_GROUP}/${this.node}`, clientId: `fleetscope-sim-sparkplug-${this.node}`, will: this.death() });
    this.conn = conn;
    const { client } = conn;
    // Every CONNECT is a new session with the next bdSeq; MQTT.js reads the Will from its
    // options for each CONNECT it sends, and `reconnect` comes just before one.
    client.on("reconnect", () => {
      this.bdSeq = nextSeq(this.bdSeq);
      client.options.will = this.death();
    });
    client.on("close", () => {
      this.born = false;
    });
    client.on("message", (topic, payload) => this.onCommand(topic, payload));
    conn.every((dtS) => this.tick(dtS));
    return conn.onConnect(async () => {
      await client.subscribeAsync([this.topic("NCMD"), `${this.topic("DCMD")}/+`], { qos: 1 });
      this.birth();
    });
  }

  private publish(topic: string, payload: Payload) {
    this.conn?.client.publish(topic, Buffer.from(codec.encodePayload(payload)), { qos: 0 });
  }

  /** The seq for the next message; `skip` leaves one out first (dropSeqEvery). */
  private takeSeq(skip = false): number {
    if (skip) this.seq = nextSeq(this.seq);
    const seq = this.seq;
    this.seq = nextSeq(seq);
    return seq;
  }

  /** NBIRTH then DBIRTH, synchronously: nothing of this node's can come between them. */
  private birth() {
    const now = Date.now();
    const m = SPARKPLUG_METRICS;
    this.seq = 0;
    this.born = true;
    this.publish(this.topic("NBIRTH"), {
      timestamp: now,
      seq: this.takeSeq(),
      metrics: [
        { name: m.bdSeq.name, type: "Int64", value: this.bdSeq, timestamp: now },
        { ...m.rebirth, type: "Boolean", value: false, timestamp: now },
        { ...m.hardwareMake, type: "String", value: "Fleetscope", timestamp: now },
      ],
    });
    this.publish(this.topic("DBIRTH", this.device), {
      timestamp: now,
      seq: this.takeSeq(),
      metrics: [
        { ...m.temperature, type: "Float", value: this.temperature, timestamp: now, properties: { engUnit: { type: "String", value: "°C" } } },
        { ...m.pressure, type: "Double", value: this.pressure, timestamp: now, properties: { engUnit: { type: "String", value: "kPa" } } },
        // 3.0 has no writability flag; `readOnly` false is this simulator's hint that DCMD may set it.
        { ...m.led, type: "Boolean", value: this.led, timestamp: now, properties: { readOnly: { type: "Boolean", value: false } } },
      ],
    });
  }

  /** DDATA by alias only: the DBIRTH gave the names [tck-id-payloads-alias-data-cmd-requirement]. */
  private data(metrics: Metric[]) {
    const every = this.opts.dropSeqEvery;
    this.dataSent++;
    const skip = every !== undefined && every > 0 && this.dataSent % every === 0;
    this.publish(this.topic("DDATA", this.device), { timestamp: Date.now(), seq: this.takeSeq(skip), metrics });
  }

  private tick(dtS: number) {
    const now = Date.now();
    this.temperature = this.noise.drift(this.temperature, TEMPERATURE, dtS);
    this.pressure = this.noise.drift(this.pressure, PRESSURE, dtS);
    this.data([
      { alias: SPARKPLUG_METRICS.temperature.alias, type: "Float", value: this.temperature, timestamp: now },
      { alias: SPARKPLUG_METRICS.pressure.alias, type: "Double", value: this.pressure, timestamp: now },
    ]);
  }

  private onCommand(topic: string, bytes: Buffer) {
    if (!this.born) return;
    let metrics: Metric[];
    try {
      metrics = codec.decodePayload(bytes).metrics ?? [];
    } catch {
      return; // not a Sparkplug B payload: nothing this node can obey
    }
    if (topic === this.topic("NCMD")) this.onNodeCommand(metrics);
    else if (topic === this.topic("DCMD", this.device)) this.onDeviceCommand(metrics);
  }

  private onNodeCommand(metrics: Metric[]) {
    if (metrics.some((m) => is(m, SPARKPLUG_METRICS.rebirth) && m.value === true)) this.birth();
  }

  private onDeviceCommand(metrics: Metric[]) {
    const led = metrics.find((m) => is(m, SPARKPLUG_METRICS.led) && typeof m.value === "boolean");
    if (!led) return;
    this.led = led.value === true;
    this.data([{ alias: SPARKPLUG_METRICS.led.alias, type: "Boolean", value: this.led, timestamp: Date.now() }]);
  }

  async stop(): Promise<void> {
    await this.conn?.close(this.death(), { willOnMqtt5: true });
    this.conn = null;
  }
}
