import { describe, expect, it } from "vitest";
import type { CommandFact, DeviceFacts, Inbound, Interpretation } from "../convention";
import { asEpochMs } from "../model";
import { TASMOTA_MAX_DEVICES, TASMOTA_MAX_FIELDS, fullTopicBases, tasmota, type TasmotaState } from "./tasmota";
import {
  AM2301_SENSOR,
  HA_DEFAULT_CONFIG,
  HA_DICT_SENSOR_CONFIG_1,
  HA_LIST_SENSOR_CONFIG,
  HA_NUMBERED_SENSOR_CONFIG,
  HA_SENSOR_MESSAGES,
  HA_SWITCH_CONFIG,
  HA_TEMPERATURE_SENSOR_CONFIG,
  HUZZAH_CONFIG,
  HUZZAH_SENSORS,
  HUZZAH_STATE_DIMMER,
  HUZZAH_STATE_RELAY,
} from "./fixtures/tasmota/discovery";

const utf8 = new TextEncoder();
let clock = 1_000;

function msg(topic: string, payload: string | object, retain = false): Inbound {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { topic, payload: utf8.encode(text), text, retain, qos: 0, ts: asEpochMs(clock++) };
}

function read(state: TasmotaState, topic: string, payload: string | object, retain = false): Interpretation {
  const r = tasmota.interpret(msg(topic, payload, retain), state);
  if (r === null) throw new Error(`nothing for ${topic}`);
  return r;
}

const only = (r: Interpretation): DeviceFacts => {
  expect(r.facts).toHaveLength(1);
  return r.facts[0]!;
};

const HA_MAC = HA_DEFAULT_CONFIG.mac;
const HA_ID = "tasmota.tasmota_49A3BC";
// The published Huzzah example masks its MAC; any MAC does.
const HUZZAH_MAC = "A0B1C2D3E4F5";

function discovered(config: object = HA_SWITCH_CONFIG, mac = HA_MAC): { state: TasmotaState; r: Interpretation } {
  const state = tasmota.initialState();
  const r = read(state, `tasmota/discovery/${mac}/config`, config, true);
  return { state, r };
}

describe("discovery", () => {
  it("learns Home Assistant's DEFAULT_CONFIG: the device, its relay and its reordered full topic", () => {
    const state = tasmota.initialState();
    expect(tasmota.claims("tasmota_49A3BC/tele/LWT", state)).toBe(false);
    const r = read(state, `tasmota/discovery/${HA_MAC}/config`, HA_SWITCH_CONFIG, true);
    expect(r.problem).toBeUndefined();
    expect(r.device).toBe(HA_ID);
    const f = only(r);
    expect(f).toMatchObject({ id: HA_ID, convention: "tasmota", name: "Tasmota", group: "tasmota", model: "Sonoff Basic", maker: "Tasmota", seen: false });
    expect(f.commands).toEqual([
      {
        name: "Power1",
        description: "Switch relay 1",
        args: { type: "object", properties: { state: { type: "string", enum: ["ON", "OFF", "TOGGLE"] } }, required: ["state"], additionalProperties: false },
        topic: "tasmota_49A3BC/cmnd/Power1",
        confirm: "echo",
      },
    ]);
    expect(tasmota.claims("tasmota_49A3BC/tele/LWT", state)).toBe(true);
    expect(tasmota.learnedFilters!(state).sort()).toEqual(["tasmota_49A3BC/cmnd/+", "tasmota_49A3BC/stat/+", "tasmota_49A3BC/tele/+"]);
  });

  it("fills a full topic as Tasmota does, and refuses one that cannot tell devices or prefixes apart", () => {
    const values = { topic: "t1", hostname: "host", mac: "00000049A3BC", prefixes: ["cmnd", "stat", "tele"] as const };
    expect(fullTopicBases("%prefix%/%topic%/", values)).toEqual({ cmnd: "cmnd/t1/", stat: "stat/t1/", tele: "tele/t1/" });
    expect(fullTopicBases("home/%hostname%/%prefix%", values)).toEqual({ cmnd: "home/host/cmnd/", stat: "home/host/stat/", tele: "home/host/tele/" });
    expect(fullTopicBases("%prefix%/%id%/", values)?.tele).toBe("tele/49A3BC/");
    expect(fullTopicBases("%topic%/", values)).toBeNull();
    expect(fullTopicBases("%prefix%/", values)).toBeNull();
    expect(fullTopicBases("%prefix%/+/%topic%/", values)).toBeNull();
  });

  it("reads the LWT on the learned topic, Offline as not seen", () => {
    const { state } = discovered();
    const online = only(read(state, "tasmota_49A3BC/tele/LWT", "Online", true));
    expect(online).toMatchObject({ id: HA_ID, seen: false, liveness: { status: "online", reason: "Tasmota LWT Online" } });
    const offline = only(read(state, "tasmota_49A3BC/tele/LWT", "Offline"));
    expect(offline).toMatchObject({ seen: false, liveness: { status: "offline", reason: "Tasmota LWT Offline" } });
    expect(read(state, "tasmota_49A3BC/tele/LWT", "Maybe").problem).toMatch(/neither Online nor Offline/);
  });

  it("uses the payloads discovery names for the LWT", () => {
    const { state } = discovered({ ...HA_SWITCH_CONFIG, onln: "up", ofln: "down" });
    expect(only(read(state, "tasmota_49A3BC/tele/LWT", "down")).liveness).toMatchObject({ status: "offline", reason: "Tasmota LWT down" });
  });

  it("forgets a device whose config is removed", () => {
    const { state } = discovered();
    const r = read(state, `tasmota/discovery/${HA_MAC}/config`, "");
    expect(only(r).commands).toEqual([]);
    expect(tasmota.claims("tasmota_49A3BC/tele/LWT", state)).toBe(false);
    expect(tasmota.interpret(msg("tasmota_49A3BC/tele/LWT", "Online"), state)).toBeNull();
  });

  it("moves a topic to the MAC that now claims it", () => {
    const { state } = discovered();
    read(state, "tasmota/discovery/AABBCCDDEEFF/config", { ...HA_SWITCH_CONFIG, mac: "AABBCCDDEEFF" }, true);
    expect(state.devices.size).toBe(1);
    expect([...state.devices.keys()]).toEqual(["AABBCCDDEEFF"]);
  });

  it("refuses broken discovery", () => {
    const state = tasmota.initialState();
    expect(read(state, `tasmota/discovery/${HA_MAC}/config`, "{oops").problem).toMatch(/not a JSON object/);
    expect(read(state, `tasmota/discovery/${HA_MAC}/config`, { ...HA_DEFAULT_CONFIG, t: "a/b" }).problem).toMatch(/bad field t/);
    expect(read(state, `tasmota/discovery/${HA_MAC}/config`, { ...HA_DEFAULT_CONFIG, ft: "%prefix%/" }).problem).toMatch(/no distinct topics/);
    expect(read(state, "tasmota/discovery/not-a-mac/config", HA_DEFAULT_CONFIG).problem).toMatch(/not a MAC/);
    expect(read(state, `tasmota/discovery/${HA_MAC}/sensors`, "[1,2]").problem).toMatch(/sn/);
    expect(state.devices.size).toBe(0);
  });

  it(`refuses devices past TASMOTA_MAX_DEVICES (${TASMOTA_MAX_DEVICES})`, () => {
    const state = tasmota.initialState();
    const macOf = (i: number) => i.toString(16).toUpperCase().padStart(12, "0");
    for (let i = 0; i < TASMOTA_MAX_DEVICES; i++) {
      expect(read(state, `tasmota/discovery/${macOf(i)}/config`, { ...HA_DEFAULT_CONFIG, mac: macOf(i), t: `t${i}` }).problem).toBeUndefined();
    }
    const past = read(state, `tasmota/discovery/${macOf(TASMOTA_MAX_DEVICES)}/config`, { ...HA_DEFAULT_CONFIG, mac: macOf(TASMOTA_MAX_DEVICES), t: "more" });
    expect(past.problem).toMatch(/more than 1000 discovered devices/);
    expect(tasmota.claims("more/tele/LWT", state)).toBe(false);
    // A device already known may say its config again.
    expect(read(state, `tasmota/discovery/${macOf(0)}/config`, { ...HA_DEFAULT_CONFIG, mac: macOf(0), t: "t0" }).problem).toBeUndefined();
  });
});

describe("telemetry", () => {
  function withSensors(sensorConfig: object): TasmotaState {
    const { state } = discovered(HA_DEFAULT_CONFIG);
    read(state, `tasmota/discovery/${HA_MAC}/sensors`, sensorConfig, true);
    return state;
  }
  const sensor = (state: TasmotaState, payload: string) => only(read(state, "tasmota_49A3BC/tele/SENSOR", payload)).measurements ?? {};

  it("flattens arrays and dicts of energy values with their implied units (test_sensor.py)", () => {
    const state = withSensors(HA_LIST_SENSOR_CONFIG);
    expect(sensor(state, HA_SENSOR_MESSAGES.totalTariff)).toEqual({
      "ENERGY.TotalTariff.0": { value: 1.2, topic: "tasmota_49A3BC/tele/SENSOR" },
      "ENERGY.TotalTariff.1": { value: 3.4, topic: "tasmota_49A3BC/tele/SENSOR" },
    });
    const list = sensor(state, HA_SENSOR_MESSAGES.totalList);
    expect(list["ENERGY.Total.1"]).toMatchObject({ value: 3.4, unit: "kWh" });
    expect(Object.keys(list)).toEqual(["ENERGY.Total.0", "ENERGY.Total.1"]); // TotalStartTime is a time
    expect(sensor(state, HA_SENSOR_MESSAGES.totalDict)["ENERGY.Total.Phase2"]).toMatchObject({ value: 3.4, unit: "kWh" });
    const all = sensor(state, JSON.stringify(HA_LIST_SENSOR_CONFIG.sn));
    expect(all["ENERGY.Power"]?.unit).toBe("W");
    expect(all["ENERGY.ApparentPower"]?.unit).toBe("VA");
    expect(all["ENERGY.ReactivePower"]).toMatchObject({ value: -7.21, unit: "var" });
    expect(all["ENERGY.Voltage"]?.unit).toBe("V");
    expect(all["ENERGY.Current"]?.unit).toBe("A");
    expect(all["ENERGY.Today"]?.unit).toBe("kWh");
    expect(all["ENERGY.Factor"]).toEqual({ value: 0.39, topic: "tasmota_49A3BC/tele/SENSOR" });
    expect(all["ENERGY.Frequency"]?.unit).toBe("Hz");
  });

  it("takes SpeedUnit from the sensors discovery and numbers sent as text, not ids", () => {
    const state = withSensors(HA_DICT_SENSOR_CONFIG_1);
    expect(sensor(state, HA_SENSOR_MESSAGES.tx23)).toEqual({ "TX23.Speed.Act": { value: 12.3, unit: "km/h", topic: "tasmota_49A3BC/tele/SENSOR" } });
    const ds = withSensors(HA_TEMPERATURE_SENSOR_CONFIG);
    expect(sensor(ds, HA_SENSOR_MESSAGES.ds18b20)).toEqual({ "DS18B20.Temperature": { value: 12.3, unit: "°C", topic: "tasmota_49A3BC/tele/SENSOR" } });
    // A hex sensor id can read as a number ("…E4…" as an exponent): ids are never measurements.
    expect(Object.keys(sensor(ds, '{"DS18B20":{"Id":"0119123E4567","Temperature":1}}'))).toEqual(["DS18B20.Temperature"]);
    // The polled answer wraps the same readings.
    expect(only(read(ds, "tasmota_49A3BC/stat/STATUS10", HA_SENSOR_MESSAGES.status10)).measurements).toEqual({
      "DS18B20.Temperature": { value: 23.4, unit: "°C", topic: "tasmota_49A3BC/stat/STATUS10" },
    });
  });

  it("gives numbered sensors their quantity's unit", () => {
    const state = withSensors(HA_NUMBERED_SENSOR_CONFIG);
    const m = sensor(state, HA_SENSOR_MESSAGES.numbered);
    expect(m["ANALOG.Temperature2"]).toMatchObject({ value: 3.4, unit: "°C" });
    expect(m["ANALOG.Illuminance3"]).toMatchObject({ value: 5.6, unit: "lx" });
  });

  it("reads the AM2301 with the message's own TempUnit, without discovery", () => {
    const state = tasmota.initialState();
    const r = read(state, "tele/outside/SENSOR", AM2301_SENSOR);
    expect(r.device).toBe("tasmota.outside");
    expect(only(r)).toMatchObject({ name: "outside", group: "tasmota", seen: true });
    expect(only(r).measurements).toEqual({
      "AM2301.Temperature": { value: 21.7, unit: "°C", topic: "tele/outside/SENSOR" },
      "AM2301.Humidity": { value: 75.8, unit: "%", topic: "tele/outside/SENSOR" },
      "AM2301.DewPoint": { value: 17.2, unit: "°C", topic: "tele/outside/SENSOR" },
    });
    expect(only(read(state, "tele/outside/SENSOR", AM2301_SENSOR.replace('"C"', '"F"'))).measurements?.["AM2301.Temperature"]?.unit).toBe("°F");
  });

  it("reads the Huzzah's STATE on the default layout: POWER as 0/1, Wifi nested, strings left out", () => {
    const state = tasmota.initialState();
    const f = only(read(state, "tele/huzzah_1/STATE", HUZZAH_STATE_RELAY));
    expect(f.id).toBe("tasmota.huzzah_1");
    const m = f.measurements ?? {};
    expect(m.POWER).toEqual({ value: 0, topic: "tele/huzzah_1/STATE" });
    expect(m.UptimeSec).toMatchObject({ value: 3910, unit: "s" });
    expect(m.Heap).toMatchObject({ value: 28, unit: "kB" });
    expect(m["Wifi.RSSI"]).toMatchObject({ value: 70, unit: "%" });
    expect(m["Wifi.Signal"]).toMatchObject({ value: -65, unit: "dBm" });
    expect(m.LoadAvg).toEqual({ value: 19, topic: "tele/huzzah_1/STATE" });
    for (const gone of ["Time", "Uptime", "SleepMode", "Wifi.SSId", "Wifi.BSSId", "Wifi.Downtime"]) expect(m[gone]).toBeUndefined();
    // Without discovery the POWER keys are the relays there are.
    expect(f.commands?.map((c) => [c.name, c.topic])).toEqual([["Power1", "cmnd/huzzah_1/Power1"]]);
  });

  it("does not give a light's fade Speed a wind speed unit", () => {
    const state = tasmota.initialState();
    read(state, `tasmota/discovery/${HUZZAH_MAC}/sensors`, { sn: { SpeedUnit: "km/h" }, ver: 1 }, true);
    read(state, `tasmota/discovery/${HUZZAH_MAC}/config`, { ...HUZZAH_CONFIG, mac: HUZZAH_MAC }, true);
    const m = only(read(state, "tele/huzzah_1/STATE", HUZZAH_STATE_DIMMER)).measurements ?? {};
    expect(m.Speed).toEqual({ value: 1, topic: "tele/huzzah_1/STATE" });
    expect(m.POWER?.value).toBe(1);
    expect(m.Dimmer?.value).toBe(7);
    expect(m.Fade).toBeUndefined();
  });

  it("reads RESULT and stat POWERn as 0/1", () => {
    const { state } = discovered();
    expect(only(read(state, "tasmota_49A3BC/stat/RESULT", '{"POWER":"ON"}')).measurements).toEqual({ POWER: { value: 1, topic: "tasmota_49A3BC/stat/RESULT" } });
    expect(only(read(state, "tasmota_49A3BC/stat/POWER1", "OFF")).measurements).toEqual({ POWER1: { value: 0, topic: "tasmota_49A3BC/stat/POWER1" } });
  });

  it("says what is wrong with garbage and counts no numbers", () => {
    const state = tasmota.initialState();
    expect(read(state, "tele/x/SENSOR", "not json").problem).toBe("not_json_object");
    expect(read(state, "tele/x/SENSOR", "[1,2]").problem).toBe("not_json_object");
    expect(read(state, "tele/x/SENSOR", '{"Time":"2021-02-23T18:44:24"}').problem).toBe("no_numbers");
    expect(read(state, "stat/x/RESULT", "OK").problem).toMatch(/RESULT is not a JSON object/);
    const big: Inbound = { ...msg("tele/x/SENSOR", "{}"), text: null };
    expect(tasmota.interpret(big, state)?.problem).toBe("too_large");
  });

  it(`keeps the first TASMOTA_MAX_FIELDS (${TASMOTA_MAX_FIELDS}) numbers of a message and says so`, () => {
    const state = tasmota.initialState();
    const many = { S: Object.fromEntries(Array.from({ length: TASMOTA_MAX_FIELDS + 20 }, (_, i) => [`v${i}`, i])) };
    const r = read(state, "tele/x/SENSOR", many);
    expect(Object.keys(only(r).measurements ?? {})).toHaveLength(TASMOTA_MAX_FIELDS);
    expect(r.problem).toMatch(/more than 128 numbers/);
  });

  it("learns a default full topic from the Huzzah's discovery and keeps its sensors discovery", () => {
    const state = tasmota.initialState();
    expect(read(state, `tasmota/discovery/${HUZZAH_MAC}/sensors`, HUZZAH_SENSORS, true)).toEqual({ device: null, facts: [] });
    const f = only(read(state, `tasmota/discovery/${HUZZAH_MAC}/config`, { ...HUZZAH_CONFIG, mac: HUZZAH_MAC }, true));
    expect(f).toMatchObject({ id: "tasmota.huzzah_1", name: "Tasmota", model: "Huzzah" });
    expect(f.commands?.map((c) => c.topic)).toEqual(["cmnd/huzzah_1/Power1"]);
    // The default layout's filters already cover it.
    expect(tasmota.learnedFilters!(state)).toEqual([]);
    expect(only(read(state, "tele/huzzah_1/STATE", HUZZAH_STATE_RELAY)).name).toBe("Tasmota");
  });
});

describe("commands", () => {
  function power(state: TasmotaState): { device: DeviceFacts; command: CommandFact } {
    const f = only(read(state, `tasmota/discovery/${HA_MAC}/config`, HA_SWITCH_CONFIG, true));
    return { device: f, command: f.commands![0]! };
  }

  it("publishes Power1 on the learned command topic and confirms by the RESULT's POWER (test_switch.py)", () => {
    const state = tasmota.initialState();
    const { device, command } = power(state);
    const { request, expect: e } = tasmota.encodeCommand!(device, command, { state: "ON" }, "c1", state);
    expect(request).toEqual({ topic: "tasmota_49A3BC/cmnd/Power1", payload: "ON", qos: 1, retain: false });
    expect(e).toEqual({ kind: "echo", topic: "tasmota_49A3BC/stat/RESULT", path: ["POWER1"], value: "ON" });
    // A single relay answers POWER to Power1.
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/RESULT", '{"POWER":"ON"}'), state)).toEqual({ ok: true, result: { POWER1: "ON" } });
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/RESULT", '{"POWER":"OFF"}'), state)).toBeNull();
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/RESULT", '{"Dimmer":40}'), state)).toBeNull();
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/tele/STATE", '{"POWER":"ON"}'), state)).toBeNull();
    // SetOption4: the answer on its own topic.
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/POWER1", "ON"), state)).toMatchObject({ ok: true });
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/RESULT", '{"Command":"Error"}'), state)).toEqual({ ok: false, error: "Tasmota answered Command Error" });
  });

  it("confirms TOGGLE by any answer, and refuses other states", () => {
    const state = tasmota.initialState();
    const { device, command } = power(state);
    const { expect: e } = tasmota.encodeCommand!(device, command, { state: "TOGGLE" }, "c2", state);
    expect(tasmota.confirms!(e, msg("tasmota_49A3BC/stat/RESULT", '{"POWER":"OFF"}'), state)).toEqual({ ok: true, result: { POWER1: "OFF" } });
    expect(() => tasmota.encodeCommand!(device, command, { state: "on" }, "c3", state)).toThrow(/ON/);
    expect(() => tasmota.encodeCommand!(device, command, {}, "c4", state)).toThrow(/ON/);
    expect(() => tasmota.encodeCommand!(device, { ...command, topic: "tasmota_49A3BC/cmnd/Restart" }, { state: "ON" }, "c5", state)).toThrow(/not a Tasmota Power/);
  });

  it("answers on the default stat topic without discovery", () => {
    const state = tasmota.initialState();
    const f = only(read(state, "tele/huzzah_1/STATE", HUZZAH_STATE_RELAY));
    const { request, expect: e } = tasmota.encodeCommand!(f, f.commands![0]!, { state: "OFF" }, "c", state);
    expect(request.topic).toBe("cmnd/huzzah_1/Power1");
    expect(e).toEqual({ kind: "echo", topic: "stat/huzzah_1/RESULT", path: ["POWER1"], value: "OFF" });
    expect(tasmota.confirms!(e, msg("stat/huzzah_1/RESULT", '{"POWER1":"OFF"}'), state)).toMatchObject({ ok: true });
  });

  it("attributes command requests to their device but not the group topic", () => {
    const state = tasmota.initialState();
    expect(read(state, "cmnd/huzzah_1/Power", "ON")).toEqual({ device: "tasmota.huzzah_1", facts: [] });
    expect(tasmota.interpret(msg("cmnd/tasmotas/Status", "5"), state)).toBeNull();
  });
});

describe("the rest of the seam", () => {
  it("grants a device its own topics and discovery, and nothing to a wildcard name", () => {
    expect(tasmota.deviceAccess!("huzzah_1")).toEqual({
      publish: ["tele/huzzah_1/#", "stat/huzzah_1/#", "tasmota/discovery/+/config", "tasmota/discovery/+/sensors"],
      subscribe: ["cmnd/huzzah_1/#", "cmnd/tasmotas/#"],
    });
    expect(tasmota.deviceAccess!("+")).toEqual({ publish: [], subscribe: [] });
    expect(tasmota.deviceAccess!("a/b")).toEqual({ publish: [], subscribe: [] });
  });

  it("claims the default prefixes and discovery, not other topics", () => {
    const state = tasmota.initialState();
    expect(tasmota.claims("tele/x/SENSOR", state)).toBe(true);
    expect(tasmota.claims("tasmota/discovery/00000049A3BC/config", state)).toBe(true);
    expect(tasmota.claims("fleet/site/dev/telemetry", state)).toBe(false);
    expect(tasmota.interpret(msg("tele/a/b/SENSOR", "{}"), state)).toBeNull();
  });
});
