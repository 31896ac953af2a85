/**
 * The embedded broker alone in a process of its own, for tests that restart it or kill it:
 * `node --import tsx --import ./scripts/register-hooks.mjs test/helpers/broker-process.ts`.
 * BROKER_PORT is the TCP port to take; BROKER_PERSISTENCE_FILE, when set, is its SQLite
 * persistence (memory otherwise). Anyone may do anything. Prints `broker listening on <port>` once
 * it accepts connections; SIGTERM closes it as `npm start` does. BROKER_SIGKILL_AT names a crash
 * point (kill-point.ts).
 */
import { openAccess } from "../../lib/broker/access";
import { startEmbeddedBroker } from "../../lib/broker/embedded";
import { installKillPoint } from "./kill-point";

installKillPoint(process.env.BROKER_SIGKILL_AT);

const file = process.env.BROKER_PERSISTENCE_FILE;
const broker = await startEmbeddedBroker({
  tcpPort: Number(process.env.BROKER_PORT ?? 0),
  host: "127.0.0.1",
  access: openAccess,
  persistence: file ? { kind: "sqlite", file } : { kind: "memory" },
});
process.stdout.write(`broker listening on ${broker.tcpPort}\n`);
process.once("SIGTERM", () => {
  broker.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`closing the broker failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
