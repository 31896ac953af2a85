/**
 * Simulated Tasmota plugs against the embedded broker: retained discovery config and sensors,
 * the LWT (`Online`, the `Offline` Will, `Offline` on a clean stop), tele STATE and SENSOR, and
 * `Power` commands answered on `stat/<t>/RESULT` and `stat/<t>/POWER`.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAedes, type TestBroker } from "../../../test/helpers/brokers";
import { recorder, type TextMessage as Msg } from "../../../test/helpers/recorder";
import { ConventionFleet } from "./index";
import { powerRequest, uptime } from "./tasmota";

const retained = (topic: string) => (m: Msg) => m.topic === topic && m.retain;
const T = "tasmota_F00001";
const MAC = "5CCF7FF00001";

describe("Tasmota plugs", () => {
  let broker: TestBroker;
  let fleet: ConventionFleet | null;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startAedes();
    fleet = new ConventionFleet({ url: broker.tcpUrl, convention: "tasmota", devices: 2, rateHz: 20, seed: 9 });
    await fleet.start();
  });
  afterAll(async () => {
    await fleet?.stop();
    await Promise.all(clients.map((c) => c.endAsync()));
    await broker.stop();
  });

  async function watch(...filters: string[]) {
    const r = await recorder(broker.tcpUrl, filters);
    clients.push(r.client);
    return r;
  }

  it("announces itself by discovery and reports STATE and SENSOR", async () => {
    const r = await watch("tasmota/discovery/#", `tele/${T}/#`);
    const config = JSON.parse((await r.first("discovery config", retained(`tasmota/discovery/${MAC}/config`))).text);
    expect(config).toMatchObject({ mac: MAC, t: T, ft: "%prefix%/%topic%/", tp: ["cmnd", "stat", "tele"], ofln: "Offline", onln: "Online", state: ["OFF", "ON", "TOGGLE", "HOLD"], ver: 1 });
    expect(config.rl).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    for (const key of ["ip", "dn", "fn", "hn", "md", "sw", "swc", "swn", "btn", "so", "lk", "lt_st", "sho"]) expect(config).toHaveProperty(key);
    const sensors = JSON.parse((await r.first("discovery sensors", retained(`tasmota/discovery/${MAC}/sensors`))).text);
    expect(sensors).toMatchObject({ sn: { TempUnit: "C", ENERGY: { Voltage: expect.any(Number) } }, ver: 1 });
    expect((await r.first("LWT", retained(`tele/${T}/LWT`))).text).toBe("Online");

    const sensor = JSON.parse((await r.first("tele SENSOR", (m) => m.topic === `tele/${T}/SENSOR`)).text);
    expect(sensor.Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(sensor.TempUnit).toBe("C");
    expect(Object.keys(sensor.ENERGY).sort()).toEqual(["ApparentPower", "Current", "Factor", "Power", "ReactivePower", "Today", "Total", "TotalStartTime", "Voltage", "Yesterday"]);
    const state = JSON.parse((await r.first("tele STATE", (m) => m.topic === `tele/${T}/STATE`)).text);
    expect(state).toMatchObject({ POWER: "ON", Heap: 25, LoadAvg: 19, Wifi: { AP: 1, SSId: "sim" } });
    expect(state.Uptime).toMatch(/^\d+T\d\d:\d\d:\d\d$/);
    expect(state.Wifi.RSSI).toBe(2 * (state.Wifi.Signal + 100));
  });

  it("obeys Power, Power1 and the group topic, in any case, and says Unknown to other commands", async () => {
    const r = await watch(`stat/${T}/#`, "stat/tasmota_F00002/#");
    let from = r.got.length;
    r.client.publish(`cmnd/${T}/Power`, "off");
    expect(JSON.parse((await r.first("RESULT", (m) => m.topic === `stat/${T}/RESULT`, from)).text)).toEqual({ POWER: "OFF" });
    expect((await r.first("stat POWER", (m) => m.topic === `stat/${T}/POWER`, from)).text).toBe("OFF");

    from = r.got.length;
    r.client.publish(`cmnd/${T}/POWER1`, "TOGGLE");
    expect((await r.first("stat POWER after a toggle", (m) => m.topic === `stat/${T}/POWER`, from)).text).toBe("ON");

    from = r.got.length;
    r.client.publish("cmnd/tasmotas/power", "0");
    await r.first("the first plug off by group", (m) => m.topic === `stat/${T}/POWER` && m.text === "OFF", from);
    await r.first("the second plug off by group", (m) => m.topic === "stat/tasmota_F00002/POWER" && m.text === "OFF", from);

    from = r.got.length;
    r.client.publish(`cmnd/${T}/Dimmer`, "50");
    expect(JSON.parse((await r.first("Unknown", (m) => m.topic === `stat/${T}/RESULT`, from)).text)).toEqual({ Command: "Unknown" });

    const tele = await watch(`tele/${T}/STATE`);
    const off = await tele.first("STATE with the relay off", () => true);
    expect(JSON.parse(off.text).POWER).toBe("OFF");
  });

  it("reads Power payloads and formats uptime as Tasmota does", () => {
    expect(powerRequest("OFF", "on")).toBe("ON");
    expect(powerRequest("ON", "2")).toBe("OFF");
    expect(powerRequest("ON", "false")).toBe("OFF");
    expect(powerRequest("ON", "")).toBeNull();
    expect(uptime(60)).toBe("0T00:01:00");
    expect(uptime(90061)).toBe("1T01:01:01");
  });

  it("has the broker say Offline when its connection drops, and says Offline itself on a clean stop", async () => {
    const r = await watch("tele/+/LWT");
    await r.first("Online", retained(`tele/${T}/LWT`));
    let from = r.got.length;
    const takeover = await mqtt.connectAsync(broker.tcpUrl, { clientId: `fleetscope-sim-tasmota-${T}` });
    expect((await r.first("the Will", (m) => m.topic === `tele/${T}/LWT`, from)).text).toBe("Offline");
    await takeover.endAsync();
    await r.first("Online again", (m) => m.topic === `tele/${T}/LWT` && m.text === "Online", from);

    from = r.got.length;
    await fleet!.stop();
    fleet = null;
    await r.first("Offline on stop", (m) => m.topic === `tele/${T}/LWT` && m.text === "Offline", from);
    await r.first("the other Offline on stop", (m) => m.topic === "tele/tasmota_F00002/LWT" && m.text === "Offline", from);
  });
});
