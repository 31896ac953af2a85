import "server-only";
/**
 * The process's command service, for the route handlers. Kept on globalThis because the server
 * entry and the route handlers Next bundles load separate copies of this module in one process.
 */
import type { CommandService } from "./service";
import { processSlot } from "../process/singleton";

const slot = processSlot<CommandService>("commands");

export function setCommandService(service: CommandService | null): void {
  slot.set(service);
}

/** Null where this process runs no command service (it is started by `npm start`'s server). */
export function commandService(): CommandService | null {
  return slot.get();
}
