/**
 * QoS 1 acknowledgements leave the bridge only once their messages are durable, though the
 * bridge commits them in groups and lets MQTT.js write each PUBACK at once (held-acks.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startMosquitto } from "../helpers/mosquitto";
import { startWatchProxy } from "../helpers/watch-proxy";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-acks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONNECT = 1;
const PUBACK = 4;
const N = 50;

it("sends no QoS 1 PUBACK while the spool cannot commit, and stores every message once when it can again", async () => {
  const broker = await startMosquitto();
  const store = new SqliteStore(join(dir, "acks.db"));
  const spoolPath = join(dir, "acks-spool.db");
  let pubacks = 0;
  let connects = 0;
  let reconnected: () => void = () => undefined;
  const reconnect = new Promise<void>((resolve) => (reconnected = resolve));
  // Between the bridge and the broker: what it counts has left the bridge's process.
  const proxy = await startWatchProxy(broker.tcpUrl, (type) => {
    if (type === PUBACK) pubacks++;
    if (type === CONNECT && ++connects === 2) reconnected();
  });
  const bridge = new Bridge({ url: proxy.url, store, spoolPath, clientId: "acks-bridge", filter: "acks/#" });
  await bridge.start();

  // Another connection holds the spool's write lock: every spool commit fails with SQLITE_BUSY.
  const locker = new Database(spoolPath);
  locker.exec("BEGIN EXCLUSIVE");
  const publisher = await mqtt.connectAsync(broker.tcpUrl, { clientId: "acks-publisher" });
  await Promise.all(Array.from({ length: N }, (_, i) => publisher.publishAsync("acks/arm", JSON.stringify({ seq: i + 1 }), { qos: 1 })));
  await publisher.endAsync();

  // A failed commit (after the spool's 5 s busy timeout) drops the connection with its PUBACKs;
  // the bridge reconnects and the broker redelivers. By then no PUBACK has gone out.
  await reconnect;
  expect(pubacks).toBe(0);
  expect(bridge.getStats().lastError).toMatch(/^spool: /);

  locker.exec("COMMIT");
  locker.close();
  await new Promise<void>((resolve) => {
    const check = () => bridge.getStats().stored >= N && resolve();
    bridge.on("committed", check);
  });
  const rows = await store.queryMessages({ topic: "acks/arm", limit: 1000 });
  expect(rows.messages.map((m) => m.seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(pubacks).toBeGreaterThanOrEqual(N);

  await bridge.stop();
  await store.close();
  await proxy.close();
  await broker.stop();
});
