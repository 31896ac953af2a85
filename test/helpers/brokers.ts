/**
 * The brokers every broker-facing suite runs against: the embedded Aedes (TCP, and WebSocket
 * through a real HTTP server as in `npm start`) and a Mosquitto started by the test; and the
 * suites the README's broker table covers (bridge, live view, commands) RabbitMQ's MQTT plugin too.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openAccess, type AccessHandlers } from "../../lib/broker/access";
import { startEmbeddedBroker, MQTT_WS_PATH, type EmbeddedBroker } from "../../lib/broker/embedded";
import { startMosquitto } from "./mosquitto";
import { startRabbitMq } from "./rabbitmq";
import type { QoS } from "../../lib/mqtt/packet";

export interface TestBroker {
  tcpUrl: string;
  wsUrl: string;
  /** The highest QoS the broker grants a subscription (RabbitMQ: 1); 2 when unset. */
  maxQos?: QoS;
  stop(): Promise<void>;
}

/** The embedded broker behind a real HTTP server's `/mqtt`; anyone may do anything unless `access` says otherwise. */
export async function startAedes(access: AccessHandlers = openAccess): Promise<TestBroker & { embedded: EmbeddedBroker }> {
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access });
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on("upgrade", (req, socket, head) => {
    if (req.url === MQTT_WS_PATH) broker.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const port = (http.address() as AddressInfo).port;
  return {
    embedded: broker,
    tcpUrl: `mqtt://127.0.0.1:${broker.tcpPort}`,
    wsUrl: `ws://127.0.0.1:${port}${MQTT_WS_PATH}`,
    async stop() {
      http.closeAllConnections();
      await broker.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

export const BROKERS: [string, () => Promise<TestBroker>][] = [
  ["embedded Aedes", () => startAedes()],
  ["Mosquitto", () => startMosquitto()],
];

/** BROKERS and RabbitMQ's MQTT plugin (scripts/rabbitmq-mqtt.sh sets it up). */
export const THREE_BROKERS: [string, () => Promise<TestBroker>][] = [...BROKERS, ["RabbitMQ", startRabbitMq]];
