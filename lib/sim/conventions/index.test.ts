/**
 * The ConventionFleet as a whole against the embedded broker: `mixed` shares its devices out over
 * the demo arms and the five conventions, every kind is up once `start()` resolves, a restarted
 * fleet is the same devices, and `stop()` has each say offline its own way.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAedes, type TestBroker } from "../../../test/helpers/brokers";
import { recorder, type TextMessage as Msg } from "../../../test/helpers/recorder";
import { ConventionFleet, splitDevices, type DeviceKind } from "./index";

type Says = (m: Msg) => boolean;
const says = (topic: (t: string) => boolean, text: string): Says => (m) => topic(m.topic) && m.text === text;
const is = (topic: string) => (t: string) => t === topic;

/** What says "online" and "offline" for the first device of each kind (Sparkplug: NBIRTH and NDEATH). */
const LIFE: Record<DeviceKind, { online: Says; offline: Says }> = {
  demo: { online: says((t) => t.endsWith("/arm-01/status"), "online"), offline: says((t) => t.endsWith("/arm-01/status"), "offline") },
  sparkplug: { online: (m) => m.topic === "spBv1.0/sim/NBIRTH/edge-01", offline: (m) => m.topic === "spBv1.0/sim/NDEATH/edge-01" },
  homie: { online: says(is("homie/5/thermo-01/$state"), "ready"), offline: says(is("homie/5/thermo-01/$state"), "disconnected") },
  ha: { online: says(is("simha/node-01/availability"), "online"), offline: says(is("simha/node-01/availability"), "offline") },
  z2m: { online: says(is("zigbee2mqtt/bridge/state"), '{"state":"online"}'), offline: says(is("zigbee2mqtt/bridge/state"), '{"state":"offline"}') },
  tasmota: { online: says(is("tele/tasmota_F00001/LWT"), "Online"), offline: says(is("tele/tasmota_F00001/LWT"), "Offline") },
};

describe("ConventionFleet", () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await broker.stop();
  });

  it("splits devices evenly over the kinds, the first ones getting what is left over", () => {
    expect([...splitDevices(14)]).toEqual([
      ["demo", 3],
      ["sparkplug", 3],
      ["homie", 2],
      ["ha", 2],
      ["z2m", 2],
      ["tasmota", 2],
    ]);
    expect([...splitDevices(2).values()]).toEqual([1, 1, 0, 0, 0, 0]);
    expect(new ConventionFleet({ url: "", convention: "homie", devices: 4 }).shares()).toEqual(new Map([["homie", 4]]));
  });

  it("runs every kind under mixed, each online once started and offline its own way once stopped", async () => {
    const r = await recorder(broker.tcpUrl, "#");
    clients.push(r.client);
    const fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "mixed", devices: 6, rateHz: 10, faults: { failures: 0, lostReplies: 0 } });
    await fleet.start();
    for (const [kind, life] of Object.entries(LIFE)) {
      await r.first(`${kind} online`, life.online);
    }
    const from = r.got.length;
    await fleet.stop();
    for (const [kind, life] of Object.entries(LIFE)) {
      await r.first(`${kind} offline`, life.offline, from);
    }
  });

  it("is the same devices when restarted with another seed", async () => {
    const run = async (seed: number) => {
      const fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "z2m", devices: 5, rateHz: 10, seed });
      await fleet.start();
      const r = await recorder(broker.tcpUrl, "zigbee2mqtt/bridge/devices");
      clients.push(r.client);
      const list = JSON.parse((await r.first("device list", () => true)).text) as { ieee_address: string; friendly_name: string }[];
      await fleet.stop();
      return list.map((d) => `${d.ieee_address} ${d.friendly_name}`);
    };
    const first = await run(1);
    expect(await run(2)).toEqual(first);
    expect(new Set(first).size).toBe(6);
  });
});
