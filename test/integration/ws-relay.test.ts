/**
 * The relay a tab reaches an external broker through when the broker has no WebSocket for it
 * (lib/broker/ws-relay.ts): against a real Mosquitto's TCP listener, a browser-like MQTT.js
 * client over WebSocket subscribes and publishes through it, QoS 2 included, and a request the
 * server does not authorize gets no connection.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import mqtt from "mqtt";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWsRelay, type WsRelay } from "../../lib/broker/ws-relay";
import { startMosquitto } from "../helpers/mosquitto";

describe("the WebSocket relay to an external broker", () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let server: Server;
  let relay: WsRelay;
  let url: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    relay = startWsRelay(broker.tcpUrl, async (req) => req.headers.cookie === "session=ok");
    server = createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => relay.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/mqtt`;
  });
  afterAll(async () => {
    relay?.close();
    await new Promise<void>((r) => server.close(() => r()));
    await broker?.stop();
  });

  it("passes a tab's MQTT both ways unchanged, its CONNECT and QoS 2 handshakes included", async () => {
    const tab = await mqtt.connectAsync(url, { clientId: "relay-tab", wsOptions: { headers: { cookie: "session=ok" } }, reconnectPeriod: 0 });
    const device = await mqtt.connectAsync(broker.tcpUrl, { clientId: "relay-device" });
    try {
      await tab.subscribeAsync("relay/#", { qos: 2 });
      const got = new Promise<{ topic: string; payload: string; qos: number }>((resolve) => tab.once("message", (topic, payload, packet) => resolve({ topic, payload: payload.toString(), qos: packet.qos })));
      await device.publishAsync("relay/a", "über", { qos: 2 });
      expect(await got).toEqual({ topic: "relay/a", payload: "über", qos: 2 });
      // And from the tab to the broker: the broker answers the tab's QoS 2 PUBLISH with PUBREC and PUBCOMP.
      await device.subscribeAsync("relay/from-tab", { qos: 1 });
      const back = new Promise<string>((resolve) => device.once("message", (_t, p) => resolve(p.toString())));
      await tab.publishAsync("relay/from-tab", "hello", { qos: 2 });
      expect(await back).toBe("hello");
    } finally {
      await tab.endAsync();
      await device.endAsync();
    }
  });

  it("refuses an upgrade the server does not authorize", async () => {
    const ws = new WebSocket(url, "mqtt");
    ws.on("error", () => undefined); // the refusal is the point
    const status = await new Promise<number | "open">((resolve) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => resolve("open"));
    });
    ws.terminate();
    expect(status).toBe(401);
  });
});
