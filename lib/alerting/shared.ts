import "server-only";
/**
 * The process's alert service, for the route handlers. Kept on globalThis because the server
 * entry and the route handlers Next bundles load separate copies of this module in one process.
 */
import type { AlertService } from "./service";
import { processSlot } from "../process/singleton";

const slot = processSlot<AlertService>("alerts");

export function setAlertService(service: AlertService | null): void {
  slot.set(service);
}

/** Null where this process runs no alert service (`npm start`'s server runs one). */
export function alertService(): AlertService | null {
  return slot.get();
}
