/**
 * The embedded broker against what the Eclipse Paho MQTT 3.1.1 interoperability client tests
 * check, written here from their description (docs: eclipse.org/paho/clients/testing): basic,
 * retained messages, overlapping subscriptions, unsubscribe. Sessions, wills and keepalive are in
 * sessions.test.ts; `$` topics and a refused subscription in policy.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, nextMessage, receivedBeforeMarker, startConformanceBroker, topicRoot, withTimeout, type ConformanceBroker } from "./helpers";

let broker: ConformanceBroker;
beforeAll(async () => {
  broker = await startConformanceBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe("Paho interop: basic", () => {
  it.each(["tcp", "websocket"] as const)("connects, subscribes at QoS 2 and receives what it publishes at QoS 0, 1 and 2 (%s)", async (transport) => {
    const root = topicRoot("basic");
    const c = await broker.client({ clientId: `basic-${transport}`, clean: true }, transport === "tcp" ? broker.tcpUrl : broker.wsUrl);
    const [granted] = await c.subscribeAsync(`${root}/a`, { qos: 2 });
    expect(granted!.qos).toBe(2);
    const got = collect(c);
    const last = nextMessage(c, `${root}/a`, "qos 2");
    for (const qos of [0, 1, 2] as const) await c.publishAsync(`${root}/a`, `qos ${qos}`, { qos });
    await last;
    // Each at the QoS it was published with: the subscription's 2 is only a maximum [MQTT-3.8.4-6].
    expect(got.map((m) => [m.payload, m.qos, m.retain, m.dup])).toEqual([
      ["qos 0", 0, false, false],
      ["qos 1", 1, false, false],
      ["qos 2", 2, false, false],
    ]);
    await c.endAsync();
  });
});

describe("Paho interop: retained messages", () => {
  it("gives a new subscription the retained message of each matching topic, flagged RETAIN, until an empty retained payload clears it", async () => {
    const root = topicRoot("retained");
    const pub = await broker.client({ clientId: "retained-pub" });
    const topics = [`${root}/q0`, `${root}/q1`, `${root}/deep/q2`];
    for (const [qos, topic] of topics.entries()) await pub.publishAsync(topic, `kept ${qos}`, { qos: qos as 0 | 1 | 2, retain: true });

    const sub = await broker.client({ clientId: "retained-sub" });
    // [MQTT-3.3.1-6]: the retained messages go out on the new subscription, each flagged RETAIN.
    const kept = collect(sub);
    const all = new Promise<void>((resolve) => sub.on("message", () => kept.length === topics.length && resolve()));
    await sub.subscribeAsync(`${root}/#`, { qos: 2 });
    await withTimeout("three retained messages", all);
    expect(kept.map((m) => [m.topic, m.payload, m.qos, m.retain]).sort()).toEqual(
      [
        [topics[0], "kept 0", 0, true],
        [topics[1], "kept 1", 1, true],
        [topics[2], "kept 2", 2, true],
      ].sort(),
    );
    // [MQTT-3.3.1-10], [MQTT-3.3.1-11]: a zero-byte retained PUBLISH removes the retained message; it
    // is forwarded as usual, and live deliveries to an existing subscription carry RETAIN=0 [MQTT-3.3.1-9].
    const clears = await receivedBeforeMarker(sub, `${root}/marker`, async () => {
      for (const topic of topics) await pub.publishAsync(topic, "", { qos: 1, retain: true });
    });
    expect(clears.map((m) => [m.payload, m.retain])).toEqual([
      ["", false],
      ["", false],
      ["", false],
    ]);

    // Aedes sends a subscription's retained messages one after another, so once one still retained
    // (published last) and a marker after it have come, nothing cleared is on its way.
    await pub.publishAsync(`${root}/still-kept`, "control", { qos: 0, retain: true });
    const late = await broker.client({ clientId: "retained-late" });
    const control = nextMessage(late, `${root}/still-kept`, "control");
    const after = await receivedBeforeMarker(late, `${root}/marker`, async () => {
      await late.subscribeAsync(`${root}/#`, { qos: 2 });
      await control;
    });
    expect(after.map((m) => [m.topic, m.retain])).toEqual([[`${root}/still-kept`, true]]);
    await Promise.all([pub.endAsync(), sub.endAsync(), late.endAsync()]);
  });
});

describe("Paho interop: overlapping subscriptions", () => {
  it("delivers a message matching two of a client's subscriptions once, at the higher QoS", async () => {
    // [MQTT-3.3.5-1]: "the Server MUST deliver the message to the Client respecting the maximum QoS of
    // all the matching subscriptions"; the spec's note then allows either one copy at that QoS, or a
    // copy per matching subscription at its own QoS. Aedes sends one copy; Paho accepts both.
    const root = topicRoot("overlap");
    const c = await broker.client({ clientId: "overlap" });
    await c.subscribeAsync({ [`${root}/#`]: { qos: 2 }, [`${root}/+`]: { qos: 1 } });
    const got = await receivedBeforeMarker(c, `${root}/marker`, () => c.publishAsync(`${root}/a`, "overlapping", { qos: 2 }).then(() => undefined));
    expect(got.map((m) => [m.topic, m.qos])).toEqual([[`${root}/a`, 2]]);
    await c.endAsync();
  });
});

describe("Paho interop: unsubscribe", () => {
  it("stops delivering for the filters unsubscribed, keeps the rest, and acknowledges a filter it never had", async () => {
    const root = topicRoot("unsub");
    const c = await broker.client({ clientId: "unsub" });
    await c.subscribeAsync([`${root}/a`, `${root}/b`, `${root}/c`], { qos: 2 });
    await c.unsubscribeAsync([`${root}/b`, `${root}/c`]);
    // [MQTT-3.10.4-5]: UNSUBACK even when no subscription matched.
    await c.unsubscribeAsync(`${root}/never-subscribed`);
    const got = await receivedBeforeMarker(c, `${root}/a`, async () => {
      for (const t of ["a", "b", "c"]) await c.publishAsync(`${root}/${t}`, `to ${t}`, { qos: 1 });
    });
    expect(got.map((m) => m.payload)).toEqual(["to a"]);
    await c.endAsync();
  });
});
