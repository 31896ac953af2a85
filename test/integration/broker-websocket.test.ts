/**
 * MQTT over WebSocket from the real embedded broker: packets forwarded together travel together,
 * in frames of bounded size, not one per field or per packet; and a subscriber that stops reading
 * (a tab busy elsewhere) has its QoS 0 messages dropped once its backlog passes the bound, QoS 1
 * and 2 never are, a TCP subscriber on the same stream misses nothing, and once the reader catches up it gets
 * the newest QoS 0 message at once. The stall is the reader's own socket paused, not a timer.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { EmbeddedBroker } from "../../lib/broker/embedded";
import { MAX_WS_FRAME_BYTES } from "../../lib/broker/ws-frames";
import { startAedes, type TestBroker } from "../helpers/brokers";

/** 12 MiB of QoS 0 in all: more than loopback's socket buffers hold for a reader that has stopped. */
const FLOOD = 3000;
const PAYLOAD = "x".repeat(4096);
/** Every this many flood messages, one QoS 1 and one QoS 2 among them. */
const EVERY = 300;

let broker: TestBroker & { embedded: EmbeddedBroker };
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startAedes();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.stop();
});

/** Resolves with the first message for which `until` holds, counting from now. */
function nextMatching(c: MqttClient, until: (topic: string, payload: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const on = (topic: string, payload: Buffer) => {
      if (!until(topic, payload.toString())) return;
      c.off("message", on);
      resolve();
    };
    c.on("message", on);
  });
}

/** An MQTT.js client over our own ws socket, so a test can count its frames or stop reading from it. */
async function wsClient(clientId: string): Promise<{ client: MqttClient; socket: WebSocket }> {
  let socket: WebSocket | undefined;
  const client = await mqtt.connectAsync(broker.wsUrl, {
    reconnectPeriod: 0,
    clientId,
    createWebsocket: (url: string, protocols: string[]) => (socket = new WebSocket(url, protocols)),
  });
  clients.push(client);
  return { client, socket: socket! };
}

describe("the embedded broker's WebSocket frames", () => {
  it("sends what it forwards together in a few frames, not a frame per field or per packet", async () => {
    const { client: reader, socket } = await wsClient("frame-counter");
    await reader.subscribeAsync("frames/#", { qos: 0 });
    let frames = 0;
    socket.on("message", () => frames++);
    const publisher = await mqtt.connectAsync(broker.tcpUrl, { reconnectPeriod: 0, clientId: "frame-publisher" });
    clients.push(publisher);
    const MESSAGES = 100;
    const all = nextMatching(reader, (t) => t === `frames/${MESSAGES - 1}`);
    for (let i = 0; i < MESSAGES; i++) publisher.publish(`frames/${i}`, `{"seq":${i}}`, { qos: 0 });
    await all;
    // A browser runs a task per frame: one per packet was two thirds of a busy tab's main thread.
    // The broker reads the burst in a few socket reads; what each read forwards shares a frame.
    expect(frames).toBeLessThanOrEqual(MESSAGES / 10);
  });

  it("cuts a large burst into frames of at most MAX_WS_FRAME_BYTES, every packet arriving whole and in order", async () => {
    const { client: reader, socket } = await wsClient("frame-sizer");
    await reader.subscribeAsync("burst/#", { qos: 0 });
    const sizes: number[] = [];
    socket.on("message", (data: Buffer) => sizes.push(data.length));
    const got: number[] = [];
    reader.on("message", (topic, payload) => topic.startsWith("burst/") && got.push(Number(payload.toString())));
    const publisher = await mqtt.connectAsync(broker.tcpUrl, { reconnectPeriod: 0, clientId: "burst-publisher" });
    clients.push(publisher);
    const MESSAGES = 2000;
    const all = nextMatching(reader, (t) => t === `burst/${MESSAGES - 1}`);
    for (let i = 0; i < MESSAGES; i++) publisher.publish(`burst/${i}`, String(i).padStart(80, "0"), { qos: 0 });
    await all;
    expect(got).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_WS_FRAME_BYTES);
    expect(sizes.length).toBeLessThan(MESSAGES / 20);
  });
});

describe("the embedded broker and a WebSocket reader that falls behind", () => {
  it("drops only QoS 0 for it, and delivers the newest once it catches up", async () => {
    // Stops reading from its socket as a busy tab would.
    const { client: reader, socket } = await wsClient("slow-reader");
    const tcp = await mqtt.connectAsync(broker.tcpUrl, { reconnectPeriod: 0, clientId: "fast-reader" });
    const publisher = await mqtt.connectAsync(broker.tcpUrl, { reconnectPeriod: 0, clientId: "publisher" });
    clients.push(tcp, publisher);
    const got = { reader: [] as string[], tcp: [] as string[] };
    reader.on("message", (topic) => got.reader.push(topic));
    tcp.on("message", (topic) => got.tcp.push(topic));
    await reader.subscribeAsync("slow/#", { qos: 2 });
    await tcp.subscribeAsync("slow/#", { qos: 2 });

    socket.pause();
    const tcpHasAll = nextMatching(tcp, (t) => t === "slow/end-of-flood");
    const acked: Promise<unknown>[] = [];
    for (let i = 0; i < FLOOD; i++) {
      publisher.publish(`slow/q0/${i}`, PAYLOAD, { qos: 0 });
      if (i % EVERY === 0) {
        acked.push(publisher.publishAsync(`slow/q1/${i}`, PAYLOAD, { qos: 1 }), publisher.publishAsync(`slow/q2/${i}`, PAYLOAD, { qos: 2 }));
      }
    }
    publisher.publish("slow/end-of-flood", "", { qos: 0 });
    // The broker took the whole flood while the reader read nothing: its QoS 0 did not hold the publisher up.
    await Promise.all([tcpHasAll, ...acked]);
    expect(broker.embedded.droppedQos0()).toBeGreaterThan(0);

    // Reading again; a QoS 1 marker published now arrives after everything queued before it.
    const caughtUp = nextMatching(reader, (t) => t === "slow/marker");
    socket.resume();
    await publisher.publishAsync("slow/marker", "", { qos: 1 });
    await caughtUp;
    const newest = nextMatching(reader, (t) => t === "slow/newest");
    await publisher.publishAsync("slow/newest", "", { qos: 0 });
    await newest;

    const q0 = (topics: string[]) => topics.filter((t) => t.startsWith("slow/q0/") || t === "slow/end-of-flood").length;
    const tally = (topics: string[], prefix: string) => topics.filter((t) => t.startsWith(prefix)).sort();
    const sent = Math.ceil(FLOOD / EVERY);
    // MQTT.js hands a QoS 2 message over at PUBREL, so wait for the last ones to finish their handshake.
    while (tally(got.reader, "slow/q2/").length < sent) await nextMatching(reader, (t) => t.startsWith("slow/q2/"));

    expect(q0(got.tcp)).toBe(FLOOD + 1);
    expect(q0(got.reader)).toBeLessThan(FLOOD + 1);
    expect(q0(got.reader) + broker.embedded.droppedQos0()).toBe(FLOOD + 1);
    expect(tally(got.reader, "slow/q1/")).toEqual(tally(got.tcp, "slow/q1/"));
    expect(tally(got.reader, "slow/q2/")).toEqual(tally(got.tcp, "slow/q2/"));
    expect(tally(got.reader, "slow/q1/")).toHaveLength(sent);
  });
});
