import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAccess } from "../../lib/broker/access";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../lib/broker/embedded";
import { Bridge } from "../../lib/bridge/bridge";
import { clientTapTo, TraceHub } from "../../lib/trace/hub";
import type { TraceEvent } from "../../lib/mqtt/packet";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { startMosquitto } from "../helpers/mosquitto";

const run = promisify(execFile);
const FLOW_TYPES = new Set(["publish", "puback", "pubrec", "pubrel", "pubcomp"]);

/** Resolves with the hub's packets once `done` says the awaited one has arrived. */
function until(hub: TraceHub, done: (e: TraceEvent) => boolean): Promise<TraceEvent> {
  return new Promise((resolve) => {
    const on = (e: TraceEvent) => {
      if (!done(e)) return;
      hub.off("packet", on);
      resolve(e);
    };
    hub.on("packet", on);
  });
}

describe("packet taps on the embedded broker", () => {
  let hub: TraceHub;
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    hub = new TraceHub(300);
    broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess, trace: hub });
  });
  afterAll(async () => {
    await broker.close();
    hub.close();
  });

  for (const [qos, expected] of [
    [0, ["publish"]],
    [1, ["publish", "puback"]],
    [2, ["publish", "pubrec", "pubrel", "pubcomp"]],
  ] as const) {
    it(`mosquitto_pub -q ${qos} makes exactly ${expected.length} handshake packet(s) on the device hop, in order`, async () => {
      const hop = `trace-pub-q${qos}`;
      const disconnected = until(hub, (e) => e.hop === hop && e.type === "disconnect");
      await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.tcpPort), "-i", hop, "-q", String(qos), "-t", "fleet/lab/arm-99/telemetry", "-m", '{"seq":1}']);
      await disconnected;
      const packets = hub.packets().filter((e) => e.hop === hop);
      const handshake = packets.filter((e) => FLOW_TYPES.has(e.type));
      expect(handshake.map((e) => `${e.type}:${e.from}`)).toEqual(expected.map((t, i) => `${t}:${i % 2 === 0 ? "client" : "server"}`));
      expect(handshake.at(-1)!.flow!.state).toBe("complete");
      expect(handshake[0]).toMatchObject({ topic: "fleet/lab/arm-99/telemetry", device: "arm-99", qos, dup: false, retain: false, payloadBytes: 9 });
      // The fixed header as sent: 0011 DUP QoS RETAIN, then the remaining length.
      expect(handshake[0]!.header.slice(0, 2)).toBe((0x30 | (qos << 1)).toString(16));
      expect(packets.map((e) => e.type)).toEqual(["connect", "connack", ...expected, "disconnect"]);
    });
  }

  it("a subscriber that withholds PUBACK shows a stuck flow, then a retransmission when it comes back", async () => {
    const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
    const hop = "trace-slow-sub";
    const sub = await mqtt.connectAsync(url, { clientId: hop, clean: false, reconnectPeriod: 0 });
    await sub.subscribeAsync("lab/slow", { qos: 1 });
    // MQTT.js sends PUBACK when handleMessage calls back: never, here.
    sub.handleMessage = () => undefined;
    const stuck = new Promise((resolve) => hub.once("stuck", resolve));
    const pub = await mqtt.connectAsync(url, { clientId: "trace-slow-pub" });
    await pub.publishAsync("lab/slow", "x", { qos: 1 });
    await pub.endAsync();
    const flow = (await stuck) as { hop: string; sender: string; state: string; id: number };
    expect(flow).toMatchObject({ hop, sender: "server", state: "stuck" });
    sub.end(true);

    const resent = until(hub, (e) => e.hop === hop && e.type === "publish" && e.id === flow.id);
    const acked = until(hub, (e) => e.hop === hop && e.type === "puback");
    const again = await mqtt.connectAsync(url, { clientId: hop, clean: false, reconnectPeriod: 0 });
    const dup = await resent;
    expect(dup.flow).toMatchObject({ key: expect.stringContaining(hop), retransmissions: 1 });
    // [MQTT-3.3.1-1] wants DUP=1 on this resend; Aedes 1.2 sends 0, and the trace says so.
    if (!dup.dup) expect(dup.flow!.anomalies).toContain("re-sent after the session resumed without DUP set [MQTT-3.3.1-1]");
    expect((await acked).flow).toMatchObject({ state: "complete", retransmissions: 1 });
    await again.endAsync();
  });
});

describe("the bridge's own client, traced when the broker is not ours to tap", () => {
  it("shows a QoS 1 message reaching the bridge and its PUBACK after the commit", async () => {
    const mosquitto = await startMosquitto();
    const hub = new TraceHub(60_000);
    const store = new SqliteStore(":memory:");
    const bridge = new Bridge({ url: mosquitto.tcpUrl, store, clientId: "trace-bridge", filter: "fleet/#", spoolPath: ":memory:", onPacket: clientTapTo(hub, "trace-bridge") });
    try {
      await bridge.start();
      const acked = until(hub, (e) => e.hop === "trace-bridge" && e.type === "puback");
      const pub = await mqtt.connectAsync(mosquitto.tcpUrl, { clientId: "trace-bridge-pub" });
      await pub.publishAsync("fleet/lab/arm-98/log", '{"seq":1}', { qos: 1 });
      await pub.endAsync();
      const ack = await acked;
      expect(ack).toMatchObject({ from: "client", device: "arm-98", flow: { state: "complete" } });
      const flow = hub.packets().filter((e) => e.flow?.key === ack.flow!.key);
      expect(flow.map((e) => `${e.type}:${e.from}`)).toEqual(["publish:server", "puback:client"]);
      expect(flow[0]!.header.slice(0, 2)).toBe("32");
    } finally {
      await bridge.stop();
      await store.close();
      await mosquitto.stop();
      hub.close();
    }
  });
});
