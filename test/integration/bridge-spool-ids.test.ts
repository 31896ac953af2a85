/**
 * A message without seq is identified by its spool row (spool instance, row id). Row ids must
 * therefore never come back, even after the spool has been drained empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startMosquitto } from "../helpers/mosquitto";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-spool-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves at the bridge's next committed batch (stored, or recognised as a duplicate). */
function nextCommit(bridge: Bridge): Promise<void> {
  return new Promise((resolve) => bridge.once("committed", () => resolve()));
}

it("stores QoS 1 messages without seq sent after the spool has drained empty, each once", async () => {
  const broker = await startMosquitto();
  const store = new SqliteStore(join(dir, "ids.db"));
  const spoolPath = join(dir, "ids-spool.db");
  let bridge = new Bridge({ url: broker.tcpUrl, store, spoolPath, clientId: "ids-bridge", filter: "noseq/#" });
  await bridge.start();
  const publisher = await mqtt.connectAsync(broker.tcpUrl, { clientId: "ids-publisher" });
  for (let round = 1; round <= 3; round++) {
    const done = nextCommit(bridge);
    await publisher.publishAsync(`noseq/${round}`, `reading ${round}`, { qos: 1 });
    await done;
    // A restart in between too: the spool file is reopened, empty.
    if (round === 2) {
      await bridge.stop();
      bridge = new Bridge({ url: broker.tcpUrl, store, spoolPath, clientId: "ids-bridge", filter: "noseq/#" });
      await bridge.start();
    }
  }
  await publisher.endAsync();
  const rows = await store.queryMessages({ topic: "noseq/+", limit: 10 });
  expect(rows.messages.map((m) => m.topic).sort()).toEqual(["noseq/1", "noseq/2", "noseq/3"]);
  await bridge.stop();
  await store.close();
  await broker.stop();
});
