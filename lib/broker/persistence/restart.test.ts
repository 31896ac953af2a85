/**
 * The SQLite persistence closed and opened again on its file, as a broker restart does (the
 * abstract suite never reopens one): what aedes stored is all there, and the lookups kept in memory
 * work for what an earlier process stored.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, expect, it } from "vitest";
import { SqlitePersistence } from "./sqlite-persistence";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-broker-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(file: string, brokerId: string): Promise<SqlitePersistence> {
  const p = new SqlitePersistence({ file });
  await p.setup({ id: brokerId });
  return p;
}

async function all(stream: Readable): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const item of stream) out.push(item as Record<string, unknown>);
  return out;
}

const text = (p: Record<string, unknown> | undefined) => String(p?.payload);

it("subscriptions, retained messages, queued and in-flight messages, QoS 2 ids awaiting PUBREL and wills are there after a restart", async () => {
  const file = join(dir, "restart.db");
  const client = { id: "arm-1" };
  const command = (counter: number, payload: string) => ({
    cmd: "publish",
    topic: "fleet/lab/arm-1/cmd/stop",
    payload: Buffer.from(payload),
    qos: 2,
    retain: false,
    dup: false,
    brokerId: "broker-1",
    brokerCounter: counter,
  });

  let p = await open(file, "broker-1");
  await p.addSubscriptions(client, [
    { topic: "fleet/lab/+/cmd/#", qos: 2 },
    { topic: "fleet/lab/announce", qos: 0 },
  ]);
  await p.storeRetained({ cmd: "publish", topic: "fleet/lab/arm-1/status", payload: Buffer.from("online"), qos: 1, retain: true });
  await p.outgoingEnqueueCombi([{ clientId: client.id }], command(2, "queued"));
  await p.outgoingEnqueueCombi([{ clientId: client.id }], command(3, "in flight"));
  await p.outgoingUpdate(client, { ...command(3, "in flight"), messageId: 41 });
  await p.incomingStorePacket(client, { cmd: "publish", topic: "fleet/lab/arm-1/cmd/stop/reply", payload: Buffer.from("reply"), qos: 2, messageId: 7 });
  await p.putWill(client, { topic: "fleet/lab/arm-1/status", payload: Buffer.from("offline"), qos: 1, retain: true });
  await p.destroy();

  p = await open(file, "broker-2");
  expect((await p.subscriptionsByClient(client)).map((s) => [s.topic, s.qos])).toEqual([
    ["fleet/lab/+/cmd/#", 2],
    ["fleet/lab/announce", 0],
  ]);
  expect((await p.subscriptionsByTopic("fleet/lab/arm-1/cmd/stop")).map((s) => s.clientId)).toEqual([client.id]);
  expect(await p.countOffline()).toEqual({ subsCount: 1, clientsCount: 1 });
  expect((await all(p.createRetainedStreamCombi(["fleet/#"]))).map(text)).toEqual(["online"]);
  expect(text(await p.incomingGetPacket(client, { messageId: 7 }))).toBe("reply");
  expect(text(await p.getWill(client))).toBe("offline");

  // The queued message, which this process never saw, is found by the broker and counter that name it.
  await p.outgoingUpdate(client, { ...command(2, "queued"), messageId: 42 });
  // The one in flight before the restart is cleared by its PUBCOMP, and comes back whole.
  const cleared = await p.outgoingClearMessageId(client, { messageId: 41 });
  expect([text(cleared), cleared?.messageId, cleared?.topic]).toEqual(["in flight", 41, "fleet/lab/arm-1/cmd/stop"]);
  expect((await all(p.outgoingStream(client))).map((q) => [text(q), q.messageId])).toEqual([["queued", 42]]);
  await p.destroy();
});

it("a PUBREL put in place of its PUBLISH is replayed as a PUBREL after a restart, and its PUBCOMP clears it", async () => {
  const file = join(dir, "pubrel.db");
  const client = { id: "arm-2" };
  let p = await open(file, "broker-1");
  const publish = { cmd: "publish", topic: "fleet/lab/arm-2/cmd/stop", payload: Buffer.from("c"), qos: 2, retain: false, dup: false, brokerId: "broker-1", brokerCounter: 1 };
  await p.outgoingEnqueueCombi([{ clientId: client.id }], publish);
  await p.outgoingUpdate(client, { ...publish, messageId: 5 });
  await p.outgoingUpdate(client, { cmd: "pubrel", messageId: 5 });
  await p.destroy();

  p = await open(file, "broker-2");
  expect(await all(p.outgoingStream(client))).toEqual([{ cmd: "pubrel", messageId: 5 }]);
  expect(await p.outgoingClearMessageId(client, { messageId: 5 })).toEqual({ cmd: "pubrel", messageId: 5 });
  expect(await all(p.outgoingStream(client))).toEqual([]);
  // A PUBACK for an id nothing holds answers nothing.
  expect(await p.outgoingClearMessageId(client, { messageId: 5 })).toBeUndefined();
  await p.destroy();
});

it("a message queued for a session whose subscriptions overlap is queued once", async () => {
  const p = await open(join(dir, "overlap.db"), "broker-1");
  const client = { id: "bridge" };
  await p.addSubscriptions(client, [
    { topic: "fleet/#", qos: 1 },
    { topic: "fleet/+/arm-1/log", qos: 1 },
  ]);
  const subs = await p.subscriptionsByTopic("fleet/lab/arm-1/log");
  expect(subs).toHaveLength(2);
  await p.outgoingEnqueueCombi(subs, { cmd: "publish", topic: "fleet/lab/arm-1/log", payload: Buffer.from("l"), qos: 1, retain: false, dup: false, brokerId: "broker-1", brokerCounter: 1 });
  expect(await all(p.outgoingStream(client))).toHaveLength(1);
  await p.destroy();
});
