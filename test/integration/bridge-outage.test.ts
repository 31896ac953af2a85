import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import mqtt from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startMosquitto, type Mosquitto } from "../helpers/mosquitto";

let broker: Mosquitto;
const dir = mkdtempSync(join(tmpdir(), "fleetscope-outage-"));
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("reports a broker that goes away, then reconnects, resubscribes and stores again", async () => {
  const store = new SqliteStore(join(dir, "outage.db"));
  const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "outage-bridge", spoolPath: join(dir, "outage-spool.db") });
  await bridge.start();

  const offline = once(bridge, "offline");
  await broker.kill();
  await offline;
  expect(bridge.getStats()).toMatchObject({ connected: false, lastError: expect.stringMatching(/^broker: /) });

  const back = once(bridge, "connect");
  await broker.start();
  await back;
  expect(bridge.getStats().connected).toBe(true);

  // The killed broker lost the session: the bridge must subscribe again by itself.
  const committed = once(bridge, "committed");
  const pub = await mqtt.connectAsync(broker.tcpUrl, { clientId: "outage-pub" });
  await pub.publishAsync("after/outage", "hello", { qos: 1 });
  await pub.endAsync();
  await committed;
  expect((await store.queryMessages({ topic: "after/outage", limit: 10 })).messages).toHaveLength(1);

  await bridge.stop();
  await store.close();
});
