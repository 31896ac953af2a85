/**
 * The bridge's MQTT session on the embedded broker, in process, with a real spool, drainer and
 * SQLite store: each QoS 1/2 acknowledgement leaves the session's process only once its message
 * is committed in the spool file, seen from a proxy between the session and the broker.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import type { EpochMs } from "../devices/model";
import { Interpreter } from "../devices/registry";
import { SqliteStore } from "../store/sqlite/store";
import { startAedes, type TestBroker } from "../../test/helpers/brokers";
import { startWatchProxy, type WatchProxy } from "../../test/helpers/watch-proxy";
import { decodeMessage, type Received } from "./decode";
import { Drainer } from "./drainer";
import { Session } from "./session";
import { Spool } from "./spool";

const PUBACK = 4;
const PUBREC = 5;

const dir = mkdtempSync(join(tmpdir(), "fleetscope-session-"));
let broker: TestBroker;
let store: SqliteStore;
beforeAll(async () => {
  broker = await startAedes();
  store = new SqliteStore(join(dir, "store.db"));
  await store.append({ messages: [], devices: [] });
});
afterAll(async () => {
  await store.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
let spoolPath: string;
let spool: Spool;
let drainer: Drainer;
let session: Session;
let proxy: WatchProxy;
let publisher: MqttClient;
let health: { lastError: string | null };
/** A connection of the test's own to the spool file: it sees only what is committed. */
let reader: Database.Database;
/** Each acknowledgement type the session sent, with the spool file's committed rows as it left. */
let acks: { type: number; spooled: number }[];

const interpreter = new Interpreter(BUILT_IN_CONVENTIONS);
const decode = (m: Received, ts: EpochMs) => decodeMessage(m, ts, interpreter);

beforeEach(async () => {
  const id = n++;
  spoolPath = join(dir, `spool-${id}.db`);
  spool = new Spool(spoolPath);
  health = { lastError: null };
  // Drains only when asked: what the session acknowledges stays in the spool to be counted.
  drainer = new Drainer({ store, spool, decode, flushIntervalMs: 60_000, maxBatch: 1000, health });
  acks = [];
  reader = new Database(spoolPath, { readonly: true });
  const count = reader.prepare<[], { n: number }>("SELECT count(*) AS n FROM spool");
  proxy = await startWatchProxy(broker.tcpUrl, (type) => {
    if (type === PUBACK || type === PUBREC) acks.push({ type, spooled: count.get()!.n });
  });
  session = new Session({ url: proxy.url, clientId: `session-${id}`, filter: `s${id}/#`, spool, drainer, decode, maxPending: 10, maxSpool: 1000, health });
  await session.start();
  publisher = await mqtt.connectAsync(broker.tcpUrl, { clientId: `session-pub-${id}` });
});
afterEach(async () => {
  await publisher.endAsync();
  await session.end();
  await drainer.finish();
  session.closed();
  spool.close();
  reader.close();
  await proxy.close();
});

const topic = () => `s${n - 1}/arm`;

describe("the bridge's MQTT session", () => {
  it("subscribes at QoS 2 and records what the broker granted", () => {
    expect(session.stats()).toMatchObject({ connected: true, subscription: { filter: `s${n - 1}/#`, asked: 2, granted: 2, downgraded: false } });
    expect(health.lastError).toBeNull();
  });

  it("a QoS 1 message's PUBACK leaves only once the message is committed in the spool file", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publishAsync(topic(), JSON.stringify({ seq: i + 1 }), { qos: 1 })));
    await expect.poll(() => acks.length).toBe(20);
    acks.forEach((a, i) => {
      expect(a.type).toBe(PUBACK);
      expect(a.spooled).toBeGreaterThanOrEqual(i + 1);
    });
    expect(session.stats().received).toBe(20);
    expect(session.unspooled()).toBe(0);
  });

  it("a QoS 2 message's PUBREC leaves only once the message is committed in the spool file", async () => {
    await publisher.publishAsync(topic(), JSON.stringify({ seq: 1 }), { qos: 2 });
    await expect.poll(() => acks.length).toBe(1);
    expect(acks[0]).toEqual({ type: PUBREC, spooled: 1 });
  });

  it("a QoS 0 message is held in memory for the drainer, and past maxPending dropped and counted", async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => publisher.publishAsync(topic(), JSON.stringify({ seq: i + 1 }), { qos: 0 })));
    await expect.poll(() => session.stats().received).toBe(12);
    expect(drainer.held()).toBe(10);
    expect(session.stats().dropped).toBe(2);
    expect(spool.size()).toBe(0);
    expect(acks).toEqual([]);
  });

  it("what it received reaches the store through the drainer, and end() leaves nothing waiting for an acknowledgement", async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => publisher.publishAsync(topic(), JSON.stringify({ seq: i + 1 }), { qos: 1 })));
    await expect.poll(() => spool.size()).toBe(5);
    await session.end();
    expect(session.unspooled()).toBe(0);
    await drainer.finish();
    const stored = await store.queryMessages({ topic: topic(), limit: 10 });
    expect(stored.messages).toHaveLength(5);
  });
});
