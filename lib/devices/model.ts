/** The device model every convention maps onto, and the branded ids that are easy to mix up. */

export type DeviceId = string & { readonly __brand: "DeviceId" };
export type EpochMs = number & { readonly __brand: "EpochMs" };

export const asDeviceId = (id: string) => id as DeviceId;
export const asEpochMs = (ms: number) => ms as EpochMs;

export type DeviceStatus = "online" | "offline" | "unknown";

export interface Device {
  id: DeviceId;
  site: string;
  status: DeviceStatus;
  lastSeen: EpochMs;
  /** Numeric telemetry field names seen so far, sorted. */
  fields: string[];
}

export interface DeviceWithValues extends Device {
  /** Latest value of each numeric field, with the time it arrived. */
  values: Record<string, { value: number; ts: EpochMs }>;
}
