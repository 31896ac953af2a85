/** The device model every convention maps onto, and the branded ids that are easy to mix up. */
import type { CommandFact, ConventionId } from "./convention";

export type DeviceId = string & { readonly __brand: "DeviceId" };
export type EpochMs = number & { readonly __brand: "EpochMs" };

export const asDeviceId = (id: string) => id as DeviceId;
export const asEpochMs = (ms: number) => ms as EpochMs;

export type DeviceStatus = "online" | "offline" | "unknown";

export interface Device {
  id: DeviceId;
  /** The convention's own name (lib/devices/convention.ts). */
  name: string;
  /** Site, Sparkplug group, HA area or bridge. */
  group: string;
  /** = group: the demo fleet's name for it, kept for the API's older readers. */
  site: string;
  convention: ConventionId;
  status: DeviceStatus;
  /** Why the device has its status ("LWT offline", "NDEATH bdSeq 3"); null before any was said. */
  statusReason: string | null;
  /** When the status last changed, as far as this store knows; null while unknown. */
  since: EpochMs | null;
  lastSeen: EpochMs;
  /** Numeric telemetry field names seen so far, sorted. */
  fields: string[];
}

/** What a convention says of a device besides its status and values. */
export interface DeviceMeta {
  model?: string;
  maker?: string;
  /** Other conventions' sources of this same physical device. */
  sources?: string[];
  /** The commands the convention says the device takes. */
  commands?: CommandFact[];
}

export interface DeviceValue {
  value: number;
  ts: EpochMs;
  unit?: string;
}

export interface DeviceWithValues extends Device {
  /** Latest value of each numeric field, with the time it arrived. */
  values: Record<string, DeviceValue>;
  meta: DeviceMeta;
}
