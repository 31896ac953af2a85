/**
 * The live state of the parts running in this process (broker, bridge), written by their owners
 * and read by GET /api/health. Kept on globalThis because the server entry and the route
 * handlers Next bundles load separate copies of this module in one process.
 */
import { processSingleton } from "./singleton";

export type PartState = "ok" | "down" | "off" | "starting";

export interface PartStatus {
  status: PartState;
  /** Why the part is down, in words an operator can act on. */
  error?: string;
  [detail: string]: unknown;
}

export type PartName = "broker" | "bridge" | "commands" | "capture" | "alerts";

const registry = () => processSingleton("health.parts", () => new Map<PartName, PartStatus>());

export function setPart(name: PartName, status: PartStatus): void {
  registry().set(name, status);
}

export function getPart(name: PartName): PartStatus | undefined {
  return registry().get(name);
}
