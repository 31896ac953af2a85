/**
 * The in-process bridge's interpreter, for the routes that tell what the conventions learned
 * (GET /api/conventions and its state). On globalThis because the server entry and the route
 * handlers Next bundles load separate copies of this module in one process.
 */
import type { Interpreter } from "./registry";
import { processSlot } from "../process/singleton";

const slot = processSlot<Interpreter>("devices.interpreter");

export function setSharedInterpreter(interpreter: Interpreter | null): void {
  slot.set(interpreter);
}

/** Null when this process runs no bridge (FLEETSCOPE_BRIDGE=off). */
export function sharedInterpreter(): Interpreter | null {
  return slot.get();
}
