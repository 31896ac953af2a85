/**
 * The Paho MQTT 3.1.1 interoperability cases where the embedded broker's access policy decides:
 * `$` topics and a refused subscription. Paho's `$` case publishes to a `$` topic and expects
 * wildcard subscribers not to get it; our policy refuses the publish itself, which the spec
 * allows (4.7.2: "The Server SHOULD prevent Clients from using such Topic Names to exchange
 * messages with other Clients"), so the filter rule is shown with the broker's own `$SYS` topics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closed, DEVICE, receivedBeforeMarker, startConformanceBroker, topicRoot, type ConformanceBroker } from "./helpers";

let broker: ConformanceBroker;
beforeAll(async () => {
  broker = await startConformanceBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe("Paho interop: $ topics", () => {
  it("does not match `#` or `+/…` with the broker's `$SYS` topics, while `$SYS/#` gets them", async () => {
    // [MQTT-4.7.2-1]: "The Server MUST NOT match Topic Filters starting with a wildcard character
    // (# or +) with Topic Names beginning with a $ character."
    const root = topicRoot("dollar");
    const wild = await broker.client({ clientId: "dollar-wild" });
    await wild.subscribeAsync(["#", "+/+/new/clients", "+/+/+/+"], { qos: 1 });
    const sys = await broker.client({ clientId: "dollar-sys" });
    await sys.subscribeAsync("$SYS/+/new/clients", { qos: 0 });
    // Aedes announces every connection on `$SYS/<broker id>/new/clients`, payload the client id.
    const announced = new Promise<string>((r) => sys.on("message", (topic, payload) => payload.toString() === "dollar-newcomer" && r(topic)));
    const got = await receivedBeforeMarker(wild, `${root}/marker`, async () => {
      await broker.client({ clientId: "dollar-newcomer" });
      expect(await announced).toMatch(/^\$SYS\/[^/]+\/new\/clients$/);
    });
    expect(got.filter((m) => m.topic.startsWith("$"))).toEqual([]);
  });

  it("refuses a client's publish to a `$` topic, closing its connection, and delivers nothing", async () => {
    // 4.7.2 leaves `$` topics to the server ("Server implementations MAY use Topic Names that start
    // with a leading $ character for other purposes"); ours keeps all of them (lib/broker/access-rules.ts).
    const root = topicRoot("dollar-pub");
    const watcher = await broker.client({ clientId: "dollar-watcher" });
    await watcher.subscribeAsync(["$x/#", "$SYS/#"], { qos: 1 });
    await watcher.subscribeAsync(`${root}/marker`, { qos: 1 });
    const lab = await broker.client({ clientId: "dollar-publisher" });
    const got = await receivedBeforeMarker(watcher, `${root}/marker`, async () => {
      const gone = closed(lab);
      lab.publish("$x/forged", "not the broker's", { qos: 1 });
      await gone;
    });
    expect(got.filter((m) => !m.topic.startsWith("$SYS/"))).toEqual([]);
    expect(broker.refusals.at(-1)).toMatch(/publish by "dollar-publisher" .* to "\$x\/forged": topics starting with \$ are the broker's/);
  });
});

describe("Paho interop: subscribe failure", () => {
  it("answers 0x80 for a filter the access rules deny, grants the rest of the same SUBSCRIBE, and keeps the connection", async () => {
    const own = "fleet/plant-a/arm-01/cmd/+";
    const other = "fleet/plant-a/arm-02/cmd/+";
    const raw = await broker.raw();
    expect((await raw.connect({ clientId: "arm-01-conn", clean: true, username: DEVICE.id, password: DEVICE.password })).returnCode).toBe(0);
    // [MQTT-3.9.3-1]: one return code per filter, in order; 0x80 is Failure [MQTT-3.9.3-2].
    expect(await raw.subscribe(3, [{ topic: own, qos: 2 }, { topic: other, qos: 1 }, { topic: "#", qos: 0 }])).toEqual([2, 0x80, 0x80]);
    expect(broker.refusals.some((l) => l.includes(`subscription by "arm-01-conn" (device arm-01) to "${other}"`))).toBe(true);

    // Only the granted filter delivers: the command for arm-02, sent first by the same publisher,
    // would have arrived first [MQTT-4.6.0-6]; arm-01's is what comes.
    const commander = await broker.client({ clientId: "subfail-commander" });
    await commander.publishAsync("fleet/plant-a/arm-02/cmd/stop", "{}", { qos: 1 });
    await commander.publishAsync("fleet/plant-a/arm-01/cmd/stop", "{}", { qos: 1 });
    const first = await raw.next("publish");
    expect([first.topic, first.qos]).toEqual(["fleet/plant-a/arm-01/cmd/stop", 1]);
    raw.send({ cmd: "puback", messageId: first.messageId! });
    raw.send({ cmd: "pingreq" });
    await raw.next("pingresp");
    expect(raw.pending()).toEqual([]);
    raw.disconnect();
    await raw.closed;
  });
});
