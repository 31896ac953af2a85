import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type Packet } from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { SqliteStore } from "../../lib/store/sqlite/store";
import type { Store } from "../../lib/store/types";
import { deliveredQos } from "../../lib/qos/granted";
import { BROKERS, THREE_BROKERS, type TestBroker } from "../helpers/brokers";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-bridge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Resolves once the bridge has committed `count` messages in all. */
function committed(bridge: Bridge, count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (bridge.getStats().stored >= count) {
        bridge.off("committed", check);
        resolve();
      }
    };
    bridge.on("committed", check);
    check();
  });
}

async function publishMany(url: string, topic: (i: number) => string, count: number, qos: 0 | 1 | 2) {
  const client = await mqtt.connectAsync(url, { clientId: `test-pub-${n++}` });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publishAsync(topic(i), JSON.stringify({ seq: i + 1, temp: 20 + i / 10 }), { qos })));
  await client.endAsync();
}

describe.each(THREE_BROKERS)("bridge against %s", (_name, startBroker) => {
  let broker: TestBroker;
  let store: SqliteStore;
  let bridge: Bridge;
  let clientId: string;
  let spoolPath: string;

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });
  beforeEach(async () => {
    store = new SqliteStore(join(dir, `bridge-${n++}.db`));
    clientId = `fleetscope-bridge-test-${n++}`;
    spoolPath = join(dir, `spool-${n++}.db`);
    bridge = new Bridge({ url: broker.tcpUrl, store, clientId, spoolPath });
    await bridge.start();
  });
  afterEach(async () => {
    await bridge.stop();
    await store.close();
  });

  it("stores N QoS 1 messages as N rows, with seq and QoS", async () => {
    const N = 300;
    await publishMany(broker.tcpUrl, () => "fleet/lab/arm-99/telemetry", N, 1);
    await committed(bridge, N);
    const page = await store.queryMessages({ topic: "fleet/lab/arm-99/telemetry", limit: 1000 });
    expect(page.messages).toHaveLength(N);
    expect(new Set(page.messages.map((m) => m.seq))).toEqual(new Set(Array.from({ length: N }, (_, i) => i + 1)));
    expect(page.messages.every((m) => m.qos === 1)).toBe(true);
  });

  it("stores QoS 0 and QoS 2 messages, and ones sent over WebSocket", async () => {
    await publishMany(broker.tcpUrl, (i) => `q0/${i}`, 50, 0);
    await publishMany(broker.wsUrl, (i) => `q2/${i}`, 50, 2);
    await committed(bridge, 100);
    expect((await store.queryMessages({ topic: "q0/+", limit: 1000 })).messages).toHaveLength(50);
    const q2 = (await store.queryMessages({ topic: "q2/#", limit: 1000 })).messages;
    expect(q2).toHaveLength(50);
    // Delivered at the lower of the published and the granted QoS [MQTT-3.8.4-6]: 1 on RabbitMQ.
    expect(q2.every((m) => m.qos === deliveredQos(2, broker.maxQos ?? 2))).toBe(true);
    // Each PUBLISH counted once as it arrived, QoS 2 too (its PUBREL reaches the bridge as well).
    expect(bridge.getStats().received).toBe(100);
  });

  it("records what the broker granted its QoS 2 subscription", () => {
    const granted = broker.maxQos ?? 2;
    expect(bridge.getStats().subscription).toMatchObject({ filter: "#", asked: 2, granted, downgraded: granted < 2 });
  });

  it("registers a device published by any client, with its fields and latest values", async () => {
    await publishMany(broker.tcpUrl, () => "fleet/lab/arm-42/telemetry", 3, 1);
    await committed(bridge, 3);
    const device = await store.getDevice("arm-42" as never);
    expect(device).toMatchObject({ id: "arm-42", site: "lab", fields: ["temp"] });
    expect(device!.values.temp!.value).toBeCloseTo(20.2);
  });

  it("keeps its session: QoS 1 messages sent while it is away are stored when it returns", async () => {
    await bridge.stop();
    await publishMany(broker.tcpUrl, (i) => `away/${i}`, 20, 1);
    spoolPath = join(dir, `spool-${n++}.db`);
    bridge = new Bridge({ url: broker.tcpUrl, store, clientId, spoolPath });
    await bridge.start();
    await committed(bridge, 20);
    expect((await store.queryMessages({ topic: "away/+", limit: 100 })).messages).toHaveLength(20);
  });

  it("loses no QoS 1 message while the store fails: it retries and acknowledges after the commit", async () => {
    await bridge.stop();
    let failures = 3;
    const flaky: Store = Object.create(store, {
      append: {
        value: async (batch: Parameters<Store["append"]>[0]) => {
          if (failures-- > 0) throw new Error("disk I/O error (test)");
          return store.append(batch);
        },
      },
    });
    bridge = new Bridge({ url: broker.tcpUrl, store: flaky, clientId, spoolPath });
    const errors: string[] = [];
    bridge.on("storeError", (e) => errors.push(e.message));
    await bridge.start();
    await publishMany(broker.tcpUrl, (i) => `flaky/${i}`, 10, 1);
    await committed(bridge, 10);
    expect(errors).toHaveLength(3);
    const rows = (await store.queryMessages({ topic: "flaky/+", limit: 100 })).messages;
    expect(new Set(rows.map((m) => m.topic)).size).toBe(10);
  });
});

describe("bridge QoS 2 durability", () => {
  it("has made a QoS 2 message durable by the time it sends PUBREC", async () => {
    const [, startBroker] = BROKERS[0]!;
    const broker = await startBroker();
    const store = new SqliteStore(join(dir, `pubrec-${n++}.db`));
    const spoolPath = join(dir, `pubrec-spool-${n++}.db`);
    // Read the spool file through another connection at the very instant PUBREC leaves: with
    // MQTT.js's in-memory incoming store nothing would be on disk until PUBREL.
    let onDisk: Database.Database | null = null;
    let rowsOnDisk: (n: number) => void = () => undefined;
    const rowsAtPubrec = new Promise<number>((resolve) => (rowsOnDisk = resolve));
    const onPacket = (packet: Packet, from: "client" | "server") => {
      if (from === "client" && packet.cmd === "pubrec" && onDisk) rowsOnDisk((onDisk.prepare("SELECT count(*) AS n FROM spool WHERE topic = 'exactly/once'").get() as { n: number }).n);
    };
    const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: `pubrec-bridge-${n++}`, spoolPath, onPacket });
    await bridge.start();
    onDisk = new Database(spoolPath, { readonly: true });
    await publishMany(broker.tcpUrl, () => "exactly/once", 1, 2);
    expect(await rowsAtPubrec).toBe(1);
    onDisk.close();
    await bridge.stop();
    await store.close();
    await broker.stop();
  });
});
