import "server-only";
/**
 * The process's command service, for the route handlers. Kept on globalThis because the server
 * entry and the route handlers Next bundles load separate copies of this module in one process.
 */
import type { CommandService } from "./service";

const KEY = Symbol.for("fleetscope.commands");
type Holder = { [KEY]?: CommandService | null };

export function setCommandService(service: CommandService | null): void {
  (globalThis as Holder)[KEY] = service;
}

/** Null where this process runs no command service (it is started by `npm start`'s server). */
export function commandService(): CommandService | null {
  return (globalThis as Holder)[KEY] ?? null;
}
