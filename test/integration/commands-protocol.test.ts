/**
 * The command service asks an external broker for MQTT 5 first (lib/server/fleetscope.ts). A
 * 3.1.1-only broker that closes the connection on that CONNECT instead of answering it (RabbitMQ
 * 3.10) still gets a command service: it speaks 3.1.1 on the next attempt.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { CommandService } from "../../lib/command-service/service";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startRabbitMq } from "../helpers/rabbitmq";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-commands-protocol-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("falls back to MQTT 3.1.1 on a broker that hangs up on an MQTT 5 CONNECT", async () => {
  const broker = await startRabbitMq();
  const store = new SqliteStore(join(dir, "commands.db"));
  const service = new CommandService({ url: broker.tcpUrl, protocolVersion: 5, log: store.commands, device: async () => null });
  try {
    await service.start();
    expect(service.status()).toMatchObject({ connected: true, protocolVersion: 4 });
  } finally {
    await service.stop();
    await store.close();
    await broker.stop();
  }
});
