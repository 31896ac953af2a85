import "server-only";
/**
 * The process's one logger (pino). JSON lines on stdout, one object per line with `level`, `time`
 * (epoch ms) and `msg`, for log shippers; pino-pretty's readable lines when stdout is a terminal.
 * Each module logs through a child with its `module` field. LOG_LEVEL picks the least severe level
 * (validated at start by lib/config/env.ts). On globalThis because server.ts's modules and the
 * route handlers Next bundles load separate copies of this module in one process.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { logLevel, type LogLevel } from "./level";
import { processSingleton } from "../process/singleton";

/**
 * Keys whose values never reach a log line, at the top or one level down, whoever passes them:
 * secrets, and payloads (a device's data is not the operator's log).
 */
export const REDACTED_KEYS = ["password", "token", "cookie", "authorization", "secret", "payload"] as const;

export function createLogger(level: LogLevel, destination: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: "[redacted]" } }, destination);
}

function root(): Logger {
  return processSingleton("log", () =>
    createLogger(
      // Start-up has refused a bad LOG_LEVEL already; a process that skipped that logs at info.
      logLevel.catch("info").parse(process.env.LOG_LEVEL || undefined),
      // Synchronous: a line written just before process.exit is not lost.
      process.stdout.isTTY ? pretty({ colorize: true, sync: true, ignore: "pid,hostname,module", messageFormat: "{module}: {msg}" }) : pino.destination({ fd: 1, sync: true }),
    ),
  );
}

/**
 * The logger for one module: its lines carry `module`. Asked for where a line is written, not at
 * import: the root is made on first use, after the entry point has read `.env` (LOG_LEVEL).
 */
export function logger(module: string): Logger {
  return root().child({ module });
}
