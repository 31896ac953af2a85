import "server-only";
/**
 * Credentials for the server's own MQTT clients (the bridge, the server-side command publisher)
 * on the embedded broker: random per process, never configured or printed, so nothing outside
 * this process can use them. Kept on globalThis: route handlers Next bundles load their own copy
 * of this module in the same process as the broker.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/env";
import { processSingleton } from "../process/singleton";

export interface MqttCredentials {
  username: string;
  password: string;
}

export const SERVICE_USERNAME = "fleetscope-service";
export function serviceCredentials(): MqttCredentials {
  return processSingleton("broker.service-credentials", () => ({ username: SERVICE_USERNAME, password: randomBytes(24).toString("base64url") }));
}

export function isServiceLogin(username: string | undefined, password: Buffer | undefined): boolean {
  if (username !== SERVICE_USERNAME || !password) return false;
  const expected = Buffer.from(serviceCredentials().password);
  return password.length === expected.length && timingSafeEqual(password, expected);
}

/**
 * What a server-side client uses to connect: MQTT_USERNAME/MQTT_PASSWORD with an external broker
 * (MQTT_URL), the process's own service credentials with the embedded one.
 */
export function internalClientCredentials(config: Pick<Config, "mqttUrl" | "mqttUsername" | "mqttPassword">): Partial<MqttCredentials> {
  if (config.mqttUrl) return { username: config.mqttUsername, password: config.mqttPassword };
  return serviceCredentials();
}
