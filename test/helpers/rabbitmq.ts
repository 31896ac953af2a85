/**
 * RabbitMQ's MQTT plugin (3.1.1; grants at most QoS 1) as a test broker: the machine's RabbitMQ,
 * its MQTT listeners moved to 127.0.0.1:1885 and :15675/ws by scripts/rabbitmq-mqtt.sh. Each test
 * broker is a virtual host of its own, made for it and deleted at `stop`: the sessions (durable
 * queues) and retained messages its clients leave go with it, and tests running at the same time
 * never see each other's topics. Clients pick the vhost by their username, `<vhost>:guest`, which
 * the URLs carry (guest may log in only from loopback, which is where the tests are).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { TestBroker } from "./brokers";

const run = promisify(execFile);
export const RABBITMQ_MQTT_PORT = 1885;
export const RABBITMQ_WS_PORT = 15675;

export async function startRabbitMq(): Promise<TestBroker> {
  const vhost = `fleetscope-test-${randomBytes(6).toString("hex")}`;
  await run("rabbitmqctl", ["add_vhost", vhost]);
  await run("rabbitmqctl", ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]);
  const login = `${encodeURIComponent(`${vhost}:guest`)}:guest@`;
  return {
    tcpUrl: `mqtt://${login}127.0.0.1:${RABBITMQ_MQTT_PORT}`,
    wsUrl: `ws://${login}127.0.0.1:${RABBITMQ_WS_PORT}/ws`,
    maxQos: 1,
    async stop() {
      await run("rabbitmqctl", ["delete_vhost", vhost]);
    },
  };
}
