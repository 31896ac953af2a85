import "server-only";
/**
 * console.* through the logger: Next's own status lines ("✓ Running next.config.ts"), its
 * route errors and a dependency's warnings become log lines like ours, so stdout holds nothing
 * but JSON lines (and the start-up banner). Empty lines, which Next prints as spacing, are dropped.
 */
import { format } from "node:util";
import { logger } from "./logger";

export function consoleToLogger(): void {
  const log = logger("console");
  const to = (level: "debug" | "info" | "warn" | "error") => (...args: unknown[]) => {
    const text = format(...args).trim();
    if (text !== "") log[level](text);
  };
  console.debug = to("debug");
  console.log = console.info = to("info");
  console.warn = to("warn");
  console.error = to("error");
}
