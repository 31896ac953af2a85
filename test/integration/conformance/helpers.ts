/**
 * What the conformance suites share: the embedded broker as `npm start` configures it for a
 * trusted lab plus one device credential (so a denied subscription has someone to deny), MQTT.js
 * clients that are always closed, and a raw MQTT 3.1.1 client over a socket for the cases MQTT.js
 * hides (a packet left unacknowledged, the DUP flag, an empty client id, a silent connection).
 * Every wait awaits a packet or an event; each carries a timeout so a missing packet fails fast.
 */
import { connect as tcpConnect, type Socket } from "node:net";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import mqttPacket, { type Packet, type IPublishPacket } from "mqtt-packet";
import { fleetAccess } from "../../../lib/broker/access";
import { DeviceCredentials } from "../../../lib/config/device-credentials";
import type { EmbeddedBroker } from "../../../lib/broker/embedded";
import { startAedes, type TestBroker } from "../../helpers/brokers";

/** The one device with credentials: it may subscribe only within `fleet/+/arm-01/cmd/#`. */
export const DEVICE = { id: "arm-01", password: "arm-01-password" };
const WAIT_MS = 5000;

export interface ConformanceBroker extends TestBroker {
  embedded: EmbeddedBroker;
  tcpPort: number;
  /** The access log's refusal lines, in order. */
  refusals: string[];
  /** An MQTT.js client, connected, closed by `stop`. */
  client(opts?: IClientOptions, url?: string): Promise<MqttClient>;
  /** An MQTT.js client not yet connected (`connect()` sends its CONNECT), closed by `stop`. */
  unconnected(opts?: IClientOptions, url?: string): MqttClient;
  /** A raw client, closed by `stop`. */
  raw(): Promise<RawClient>;
}

/** Anonymous clients may do anything but publish under `$` (FLEETSCOPE_AUTH=off); the device is confined. */
export async function startConformanceBroker(): Promise<ConformanceBroker> {
  const refusals: string[] = [];
  const access = fleetAccess({ devices: new DeviceCredentials().add(DEVICE.id, DEVICE.password), anonymousDevices: false, authOff: true, log: (l) => refusals.push(l) });
  const broker = await startAedes(access);
  const clients: MqttClient[] = [];
  const raws: RawClient[] = [];
  const unconnected = (opts: IClientOptions = {}, url = broker.tcpUrl) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: WAIT_MS, ...opts, manualConnect: true });
    c.on("error", () => undefined);
    clients.push(c);
    return c;
  };
  return {
    ...broker,
    tcpPort: broker.embedded.tcpPort,
    refusals,
    unconnected,
    async client(opts = {}, url = broker.tcpUrl) {
      const c = unconnected(opts, url);
      c.connect();
      await new Promise<void>((resolve, reject) => {
        c.once("connect", () => resolve());
        c.once("error", reject);
        c.once("close", () => reject(new Error(`${opts.clientId ?? "client"} closed before CONNACK`)));
      });
      return c;
    },
    async raw() {
      const r = await RawClient.open(broker.embedded.tcpPort);
      raws.push(r);
      return r;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      for (const r of raws) r.destroy();
      await broker.stop();
    },
  };
}

/** Topics of their own for each test, so one test's retained messages and sessions never meet another's. */
export function topicRoot(name: string): string {
  return `conf/${name}/${Math.random().toString(36).slice(2, 8)}`;
}

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

/** Every message `c` gets, from now on, in order. */
export function collect(c: MqttClient): Received[] {
  const got: Received[] = [];
  c.on("message", (topic, payload, p) => got.push({ topic, payload: payload.toString(), qos: p.qos, retain: p.retain, dup: p.dup }));
  return got;
}

/** Resolves when `c` gets a message on `topic` (with `payload`, when given). */
export function nextMessage(c: MqttClient, topic: string, payload?: string): Promise<Received> {
  return withTimeout(
    `a message on ${topic}`,
    new Promise((resolve) => {
      const on = (t: string, body: Buffer, p: IPublishPacket) => {
        if (t !== topic || (payload !== undefined && body.toString() !== payload)) return;
        c.off("message", on);
        resolve({ topic: t, payload: body.toString(), qos: p.qos, retain: p.retain, dup: p.dup });
      };
      c.on("message", on);
    }),
  );
}

/**
 * What `c` received from now until a marker it publishes to itself comes back: a broker delivers
 * one subscription's messages from one publisher in order [MQTT-4.6.0-6], so anything published
 * before the marker and due to `c` has arrived by then. `c` must be subscribed to `markerTopic`.
 */
export async function receivedBeforeMarker(c: MqttClient, markerTopic: string, act: () => Promise<void> | void): Promise<Received[]> {
  const got: Received[] = [];
  const on = (topic: string, payload: Buffer, p: IPublishPacket) => got.push({ topic, payload: payload.toString(), qos: p.qos, retain: p.retain, dup: p.dup });
  c.on("message", on);
  try {
    await act();
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const back = nextMessage(c, markerTopic, marker);
    await c.publishAsync(markerTopic, marker, { qos: 1 });
    await back;
    return got.filter((m) => m.payload !== marker);
  } finally {
    c.off("message", on);
  }
}

/** Resolves once `c` is closed (by the broker, or at once if it already was). */
export function closed(c: MqttClient): Promise<void> {
  return withTimeout("the connection to close", new Promise((r) => (c.connected ? c.once("close", () => r()) : r())));
}

export function withTimeout<T>(what: string, p: Promise<T>, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/**
 * An MQTT 3.1.1 CONNECT built by hand [MQTT-3.1]: protocol name, level 4, the flags (only clean
 * session, here), keepalive 0, and the client id; mqtt-packet and MQTT.js refuse to send an empty
 * id with clean session 0, which is the point of sending one.
 */
export function connectBytes(clientId: string, clean: boolean): Uint8Array {
  const id = Buffer.from(clientId, "utf8");
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from("MQTT"), Buffer.from([4, clean ? 0x02 : 0, 0, 0, id.length >> 8, id.length & 0xff]), id]);
  if (body.length > 127) throw new Error("connectBytes makes short CONNECTs only");
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

type Cmd = Packet["cmd"];
type PacketOf<C extends Cmd> = Extract<Packet, { cmd: C }>;

/**
 * An MQTT 3.1.1 client that does only what a test tells it: it acknowledges nothing by itself,
 * so a test can leave a QoS 1 or 2 delivery unfinished, and sees every flag of what arrives.
 */
export class RawClient {
  private readonly queue: Packet[] = [];
  private waiters: { cmd: Cmd; resolve: (p: Packet) => void }[] = [];
  /** Resolves when the broker (or `destroy`) ends the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (p: Packet) => {
      const i = this.waiters.findIndex((w) => w.cmd === p.cmd);
      if (i < 0) return void this.queue.push(p);
      const [w] = this.waiters.splice(i, 1);
      w!.resolve(p);
    });
    socket.on("data", (chunk) => parser.parse(chunk));
    socket.on("error", () => undefined);
    this.closed = new Promise((r) => socket.once("close", () => r()));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(port, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
      socket.once("error", reject);
    });
  }

  send(p: Packet): void {
    this.socket.write(mqttPacket.generate(p, { protocolVersion: 4 }));
  }

  /** Bytes as they are: for packets mqtt-packet will not make (an empty client id with clean session 0). */
  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next packet of type `cmd`, already received or still to come. */
  next<C extends Cmd>(cmd: C, ms = WAIT_MS): Promise<PacketOf<C>> {
    const i = this.queue.findIndex((p) => p.cmd === cmd);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as PacketOf<C>);
    const waiter = { cmd, resolve: (_: Packet) => undefined as void };
    const p = new Promise<PacketOf<C>>((resolve) => (waiter.resolve = resolve as (p: Packet) => void));
    this.waiters.push(waiter);
    return withTimeout(`a ${cmd.toUpperCase()}`, p, ms).finally(() => (this.waiters = this.waiters.filter((w) => w !== waiter)));
  }

  /** Packets received and not yet taken by `next`. */
  pending(): readonly Packet[] {
    return this.queue;
  }

  async connect(opts: { clientId: string; clean: boolean; keepalive?: number; username?: string; password?: string }): Promise<PacketOf<"connack">> {
    this.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clientId: opts.clientId,
      clean: opts.clean,
      keepalive: opts.keepalive ?? 0,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: Buffer.from(opts.password) } : {}),
    });
    return this.next("connack");
  }

  async subscribe(messageId: number, subscriptions: { topic: string; qos: 0 | 1 | 2 }[]): Promise<number[]> {
    this.send({ cmd: "subscribe", messageId, subscriptions });
    const ack = await this.next("suback");
    if (ack.messageId !== messageId) throw new Error(`SUBACK for ${ack.messageId}, not ${messageId}`);
    return ack.granted as number[];
  }

  disconnect(): void {
    this.send({ cmd: "disconnect" });
    this.socket.end();
  }

  /** Drops the connection without a DISCONNECT, as a crash or a lost network does. */
  destroy(): void {
    this.socket.destroy();
  }
}
