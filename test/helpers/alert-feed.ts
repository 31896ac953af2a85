/**
 * What the bridge's `decoded` event carries for one demo telemetry message, for tests that feed
 * the alert service as the bridge does (lib/alerting/service.ts `watchBridge`).
 */
import type { EventEmitter } from "node:events";
import type { DeviceFacts } from "../../lib/devices/convention";
import { asDeviceId } from "../../lib/devices/model";

export function telemetry(source: EventEmitter, device: string, temp: number): void {
  const facts: DeviceFacts = { id: asDeviceId(device), convention: "demo", name: device, group: "lab", seen: true, measurements: { temp: { value: temp, topic: `fleet/lab/${device}/telemetry` } } };
  source.emit("decoded", `fleet/lab/${device}/telemetry`, { device: facts.id, facts: [facts], seq: null }, Date.now());
}
