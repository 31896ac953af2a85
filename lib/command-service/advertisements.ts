import "server-only";
/**
 * The commands devices advertise: a retained list each device publishes on its `commands` topic,
 * parsed once per delivery and kept by device, beside its kind's own commands (definitions.ts).
 */
import { parseAdvertisement, type Advertisement } from "../commands/definitions";

/** An advertisement is a short list; a device sending more is not parsed on every delivery. */
export const MAX_ADVERTISEMENT_BYTES = 64 * 1024;
/** Devices advertise their commands here, retained. */
export const ADVERTISEMENT_FILTER = "fleet/+/+/commands";

/** Whether a message on `topic`, one the service subscribed to, is an advertisement. */
export function isAdvertisement(topic: string): boolean {
  return topic.endsWith("/commands");
}

export class Advertisements {
  private readonly byDevice = new Map<string, Advertisement>();

  /** Takes a delivery on an advertisement topic; an empty payload (a cleared retained message) forgets the device's. */
  take(topic: string, payload: Buffer): void {
    const device = topic.split("/")[2]!;
    if (payload.length === 0) return void this.byDevice.delete(device);
    if (payload.length > MAX_ADVERTISEMENT_BYTES) {
      return void this.byDevice.set(device, { kind: null, commands: [], problems: [`the advertisement is ${payload.length} bytes; at most ${MAX_ADVERTISEMENT_BYTES} are read`] });
    }
    const ad = parseAdvertisement(payload.toString("utf8"));
    this.byDevice.set(device, "error" in ad ? { kind: null, commands: [], problems: [ad.error] } : ad);
  }

  /** What the device advertised, or null if nothing. */
  of(device: string): Advertisement | null {
    return this.byDevice.get(device) ?? null;
  }

  /** Problems in what the device advertised, to show beside its commands. */
  problems(device: string): string[] {
    return this.byDevice.get(device)?.problems ?? [];
  }
}
