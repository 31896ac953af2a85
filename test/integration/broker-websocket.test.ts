/**
 * MQTT over WebSocket from the real embedded broker: a packet travels in one frame, not one per
 * field.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startAedes, type TestBroker } from "../helpers/brokers";

let broker: TestBroker;
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
  it("sends each PUBLISH whole in one frame, not a frame per field", async () => {
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
    // Several packets may share a frame ([MQTT-6.0.0-2]); one split over several never happens here.
    expect(frames).toBeLessThanOrEqual(MESSAGES);
  });
});
