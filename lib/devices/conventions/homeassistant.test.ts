import { describe, expect, it } from "vitest";
import { deviceIdFrom, type Convention, type DeviceFacts, type Inbound, type Interpretation } from "../convention";
import { asEpochMs } from "../model";
import { Interpreter } from "../registry";
import {
  createHomeassistant,
  homeassistant,
  MAX_HA_COMPONENTS_PER_CONFIG,
  MAX_HA_CONFIG_BYTES,
  MAX_HA_CONFIGS,
  MAX_HA_ENTITIES,
  type HaState,
} from "./homeassistant";
import { MAX_TEMPLATE_LENGTH } from "./ha-template";
import { zigbee2mqtt, z2mDeviceId } from "./zigbee2mqtt";
import { COORDINATOR, Z2M_TEST_WEATHER_SENSOR } from "./fixtures/zigbee2mqtt/bridge-devices";
import {
  HA_DOCS_DEVICE,
  HA_DOCS_DEVICE_REMOVE_ONE,
  HA_TEST_COMPLEX_PREFIX,
  HA_TEST_DEVICE_CONFIG,
  HA_TEST_EXPANSION,
  HA_TEST_EXPANSION_2,
  HA_TEST_SINGLE_SENSOR,
  HA_TEST_UNPACK_TEMPLATE,
  TASMOTA_SENSOR,
  Z2M_DISCOVERY,
  Z2M_DISCOVERY_EVENT,
  Z2M_DISCOVERY_SWITCH_LEFT,
  Z2M_EVENT_TEMPLATE,
} from "./fixtures/homeassistant/configs";

const enc = new TextEncoder();

function msg(topic: string, payload: string | object, opts: { retain?: boolean; ts?: number } = {}): Inbound {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { topic, payload: enc.encode(text), text, retain: opts.retain ?? false, qos: 0, ts: asEpochMs(opts.ts ?? 1000) };
}

function read(s: HaState, m: Inbound, c: Convention<HaState> = homeassistant): Interpretation | null {
  return c.claims(m.topic, s) ? c.interpret(m, s) : null;
}

function configure(s: HaState, topic: string, payload: string | object, c: Convention<HaState> = homeassistant): Interpretation {
  const r = read(s, msg(topic, payload, { retain: true }), c);
  expect(r).not.toBeNull();
  return r!;
}

const one = (facts: DeviceFacts[] | undefined): DeviceFacts => {
  expect(facts).toHaveLength(1);
  return facts![0]!;
};

/** Everything a config can change, to assert a refused one changed nothing. */
const fingerprint = (s: HaState) => JSON.stringify({ snap: homeassistant.snapshot!(s), filters: homeassistant.learnedFilters!(s).sort(), devices: [...s.devices.keys()].sort() });

describe("homeassistant: single-component configs", () => {
  it("groups an entity under its device's first identifier and reads its state topic", () => {
    const s = homeassistant.initialState();
    const r = configure(s, HA_TEST_SINGLE_SENSOR.topic, HA_TEST_SINGLE_SENSOR.payload);
    expect(r.device).toBe(deviceIdFrom("ha", "0AFFD2"));
    expect(one(r.facts)).toMatchObject({ id: "ha.0AFFD2", convention: "homeassistant", name: "test_device", group: "0AFFD2", seen: false, commands: [] });
    expect(homeassistant.learnedFilters!(s)).toEqual(["foobar/sensors/bla2/state"]);
    const st = read(s, msg("foobar/sensors/bla2/state", "21.5"))!;
    expect(one(st.facts)).toMatchObject({ id: "ha.0AFFD2", seen: true, measurements: { bla2: { value: 21.5, topic: "foobar/sensors/bla2/state" } } });
    expect(read(s, msg("foobar/sensors/other", "1"))).toBeNull();
  });

  it("expands abbreviations and replaces ~ only at a topic's start or end (HA's test_discovery_expansion)", () => {
    const s = homeassistant.initialState();
    const f = one(configure(s, HA_TEST_EXPANSION.topic, HA_TEST_EXPANSION.text).facts);
    expect(f).toMatchObject({ id: "ha.5706DF", name: "DiscoveryExpansionTest1 Device", group: "default_area", model: "Generic", maker: "None" });
    expect(homeassistant.learnedFilters!(s).sort()).toEqual(["avail_item2/some/base/topic", "some/base/topic/avail_item1", "test_topic/some/base/topic"]);
    expect(f.commands).toEqual([
      { name: "bla", description: "switch DiscoveryExpansionTest1", args: { type: "object", properties: { value: { type: "string", enum: ["ON", "OFF"] } }, required: ["value"], additionalProperties: false }, topic: "some/base/topic/test_topic", confirm: "echo" },
    ]);
    const avail = one(read(s, msg("avail_item2/some/base/topic", "available", { ts: 7 }))!.facts);
    expect(avail.liveness).toEqual({ status: "online", reason: "HA availability online on avail_item2/some/base/topic", since: 7 });
    expect(one(read(s, msg("test_topic/some/base/topic", "ON"))!.facts).measurements!.bla!.value).toBe(1);
    expect(one(read(s, msg("some/base/topic/avail_item1", "not_available"))!.facts).liveness!.status).toBe("offline");
    // The single-object availability form (test_discovery_expansion_2).
    const s2 = homeassistant.initialState();
    configure(s2, HA_TEST_EXPANSION_2.topic, HA_TEST_EXPANSION_2.text);
    expect(one(read(s2, msg("some/base/topic/avail_item1", "available"))!.facts).liveness!.status).toBe("online");
  });

  it("leaves a ~ inside a topic as it is", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/sensor/mid/config", { "~": "base", stat_t: "a/~/b", avty_t: "~~", dev: { ids: ["m1"] } });
    expect(homeassistant.learnedFilters!(s).sort()).toEqual(["a/~/b", "~base"]);
  });

  it("reads abbreviated Tasmota configs: bracketed templates, LWT availability", () => {
    const s = homeassistant.initialState();
    configure(s, TASMOTA_SENSOR.topic, TASMOTA_SENSOR.text);
    const st = one(read(s, msg("tele/EZPlug_35EBF6/SENSOR", '{"Time":"2021-03-01T10:00:00","ENERGY":{"TotalStartTime":"2021-01-01T00:00:00","Total":1.5}}'))!.facts);
    // TotalStartTime is a date: said, not a number.
    expect(st.measurements).toBeUndefined();
    expect(one(read(s, msg("tele/EZPlug_35EBF6/LWT", "Offline", { retain: true }))!.facts)).toMatchObject({ id: "ha.35EBF6", seen: false, liveness: { status: "offline" } });
  });

  it("reads binary sensors by payload_on/payload_off, booleans as Python writes them", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/binary_sensor/door/contact/config", { stat_t: "door/state", val_tpl: "{{ value_json.contact }}", pl_on: false, pl_off: true, dev: { ids: "door1", name: "Door" } });
    expect(one(read(s, msg("door/state", { contact: false }))!.facts).measurements!.contact!.value).toBe(1);
    expect(one(read(s, msg("door/state", { contact: true }))!.facts).measurements!.contact!.value).toBe(0);
    // A key missing from the payload: no value, no error.
    expect(one(read(s, msg("door/state", { battery: 3 }))!.facts).measurements).toBeUndefined();
  });

  it("makes an entity without a device block its own device, and takes a many-level prefix", () => {
    const c = createHomeassistant(HA_TEST_COMPLEX_PREFIX.prefix);
    const s = c.initialState();
    const f = one(configure(s, HA_TEST_COMPLEX_PREFIX.topic, HA_TEST_COMPLEX_PREFIX.text, c).facts);
    expect(f).toMatchObject({ id: deviceIdFrom("ha", "entity", "binary_sensor", "node1", "object1"), name: "Beer", group: "node1" });
    expect(c.claims("homeassistant/sensor/x/config", s)).toBe(false);
    expect(one(read(s, msg("test-topic", "ON"), c)!.facts).measurements!.object1!.value).toBe(1);
  });

  it("deletes an entity on an empty payload: its topics are no longer claimed", () => {
    const s = homeassistant.initialState();
    configure(s, HA_TEST_SINGLE_SENSOR.topic, HA_TEST_SINGLE_SENSOR.payload);
    const r = configure(s, HA_TEST_SINGLE_SENSOR.topic, "");
    expect(one(r.facts)).toMatchObject({ id: "ha.0AFFD2", commands: [] });
    expect(homeassistant.claims("foobar/sensors/bla2/state", s)).toBe(false);
    expect(s.entities.size).toBe(0);
    expect(s.devices.size).toBe(0);
  });

  it("reads a state topic under the prefix without learning a filter for it", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/sensor/sensorBedroomT/config", { device_class: "temperature", state_topic: "homeassistant/sensor/sensorBedroom/state", unit_of_measurement: "°C", value_template: "{{ value_json.temperature}}", unique_id: "temp01ae", device: { identifiers: ["bedroom01ae"], name: "Bedroom" } });
    expect(homeassistant.learnedFilters!(s)).toEqual([]);
    expect(one(read(s, msg("homeassistant/sensor/sensorBedroom/state", { temperature: 23.1 }))!.facts).measurements!.sensorBedroomT).toEqual({ value: 23.1, unit: "°C", topic: "homeassistant/sensor/sensorBedroom/state" });
  });

  it("ignores topics under the prefix that are not configs (HA's own status)", () => {
    const s = homeassistant.initialState();
    expect(read(s, msg("homeassistant/status", "online"))).toBeNull();
  });
});

describe("homeassistant: the device form", () => {
  it("reads every cmps entry with the shared state_topic (HA docs' example)", () => {
    const s = homeassistant.initialState();
    const f = one(configure(s, HA_DOCS_DEVICE.topic, HA_DOCS_DEVICE.payload).facts);
    expect(f).toMatchObject({ id: "ha.ea334450945afc", name: "Kitchen", model: "xya", maker: "Bla electronics", group: "ea334450945afc" });
    const st = one(read(s, msg("sensorBedroom/state", { temperature: 23.2, humidity: 43.7 }))!.facts);
    expect(st.measurements).toEqual({
      some_unique_component_id1: { value: 23.2, unit: "°C", topic: "sensorBedroom/state" },
      some_unique_id2: { value: 43.7, unit: "%", topic: "sensorBedroom/state" },
    });
  });

  it("drops a component sent as { p } alone, and the whole device on an empty payload", () => {
    const s = homeassistant.initialState();
    configure(s, HA_DOCS_DEVICE.topic, HA_DOCS_DEVICE.payload);
    configure(s, HA_DOCS_DEVICE_REMOVE_ONE.topic, HA_DOCS_DEVICE_REMOVE_ONE.payload);
    expect(Object.keys(one(read(s, msg("sensorBedroom/state", { temperature: 23.2, humidity: 43.7 }))!.facts).measurements!)).toEqual(["some_unique_component_id1"]);
    configure(s, HA_DOCS_DEVICE.topic, "");
    expect(homeassistant.claims("sensorBedroom/state", s)).toBe(false);
    expect(s.configs.size).toBe(0);
  });

  it("reads HA's own device-form test config with full keys", () => {
    const s = homeassistant.initialState();
    const f = one(configure(s, HA_TEST_DEVICE_CONFIG.topic, HA_TEST_DEVICE_CONFIG.payload).facts);
    expect(f).toMatchObject({ id: "ha.0AFFD2", name: "test_device" });
    expect(s.entities.size).toBe(3); // trigger, sensor, tag
    expect(homeassistant.learnedFilters!(s)).toEqual(["foobar/sensors/bla2/state"]);
    expect(one(read(s, msg("foobar/sensors/bla2/state", "7"))!.facts).measurements!.bla2!.value).toBe(7);
  });

  it("leaves out only the component whose template it cannot run, and says which, on which topic", () => {
    const s = homeassistant.initialState();
    const r = configure(s, "homeassistant/device/weather01/config", {
      dev: { ids: ["weather01"], name: "Weather" },
      o: { name: "station" },
      stat_t: "weather/01/state",
      cmps: {
        wt: { p: "sensor", name: "Temp", val_tpl: "{{ value_json.t }}", unit_of_meas: "°C" },
        ws: { p: "sensor", name: "Wind", val_tpl: "{{ (value_json.wind_ms * 3.6) | round(1) }}", unit_of_meas: "km/h" },
      },
    });
    expect(one(r.facts)).toMatchObject({ id: "ha.weather01", name: "Weather" });
    expect(r.problem).toMatch(/^homeassistant\/device\/weather01\/config: component ws: value_template: /);
    const st = one(read(s, msg("weather/01/state", { t: 12.5, wind_ms: 3 }))!.facts);
    expect(st.measurements).toEqual({ wt: { value: 12.5, unit: "°C", topic: "weather/01/state" } });
  });

  it("refuses device forms HA refuses: no device, no origin, a component without platform", () => {
    const s = homeassistant.initialState();
    const before = fingerprint(s);
    expect(configure(s, "homeassistant/device/bla/config", { o: { name: "foobar" }, cmps: { acp1: { p: "sensor", state_topic: "home/x" } } }).problem).toMatch(/without a device/);
    expect(configure(s, "homeassistant/device/bla/config", { dev: { ids: ["ABDE03"] }, cmps: { acp1: { p: "sensor", state_topic: "home/x" } } }).problem).toMatch(/origin/);
    expect(configure(s, "homeassistant/device/bla/config", { o: { name: "foobar" }, dev: { ids: ["ABDE03"] }, cmps: { acp1: { name: "abc", state_topic: "home/alarm" } } }).problem).toMatch(/platform/);
    expect(configure(s, "homeassistant/device/bla/config", { o: { name: "foobar" }, dev: { ids: ["ABDE03"] }, cmps: "" }).problem).toMatch(/cmps/);
    expect(fingerprint(s)).toBe(before);
  });
});

describe("homeassistant: hostile configs change nothing", () => {
  const hostile: [string, string][] = [
    ["a 1 MB config", JSON.stringify({ stat_t: "x/y", val_tpl: `{{ value_json.${"a".repeat(1024 * 1024)} }}` })],
    ["a template longer than the bound", JSON.stringify({ stat_t: "x/y", val_tpl: `{{ value_json.${"a".repeat(MAX_TEMPLATE_LENGTH)} }}` })],
    ["{{ ''.__class__ }}", JSON.stringify({ stat_t: "x/y", val_tpl: "{{ ''.__class__ }}" })],
    ["an availability template outside the subset", JSON.stringify({ stat_t: "x/y", avty: [{ t: "x/avail", val_tpl: "{% if value %}online{% endif %}" }] })],
    ["a state_topic of #", JSON.stringify({ stat_t: "#" })],
    ["a state_topic of +/x", JSON.stringify({ stat_t: "+/x" })],
    ["an availability topic that is a filter", JSON.stringify({ stat_t: "x/y", avty_t: "devices/+/lwt" })],
    ["a config that is not JSON", "not json"],
    ["a JSON array", "[1,2]"],
    ["a device without identifiers", JSON.stringify({ stat_t: "x/y", dev: { name: "n" } })],
    ["both availability forms", JSON.stringify({ stat_t: "x/y", avty_t: "a", avty: [{ t: "b" }] })],
    ["an unknown availability_mode", JSON.stringify({ stat_t: "x/y", avty: [{ t: "b" }], avty_mode: "most" })],
  ];

  for (const [what, payload] of hostile) {
    it(`refuses ${what} with a problem, keeping the config it replaces`, () => {
      const s = homeassistant.initialState();
      configure(s, "homeassistant/sensor/victim/config", { stat_t: "victim/state", dev: { ids: ["v1"] } });
      const before = fingerprint(s);
      const r = configure(s, "homeassistant/sensor/victim/config", payload);
      expect(r.problem).toBeTruthy();
      expect(r.facts).toEqual([]);
      expect(fingerprint(s)).toBe(before);
      expect(homeassistant.claims("victim/state", s)).toBe(true);
      expect(homeassistant.claims("x/y", s)).toBe(false);
    });
  }

  it("refuses by size before parsing, Home Assistant's unpack template as unsupported, and Zigbee2MQTT's event program on another device", () => {
    const s = homeassistant.initialState();
    expect(configure(s, "homeassistant/sensor/big/config", "x".repeat(MAX_HA_CONFIG_BYTES + 1)).problem).toMatch(/larger than/);
    expect(configure(s, HA_TEST_UNPACK_TEMPLATE.topic, HA_TEST_UNPACK_TEMPLATE.text).problem).toMatch(/availability template: template not supported/);
    const notZ2m = { ...Z2M_DISCOVERY_EVENT.payload, device: { identifiers: ["my_button"], name: "button" } };
    expect(configure(s, "homeassistant/event/my_button/action/config", notZ2m).problem).toMatch(/value_template: template (not supported|longer)/);
    expect(Z2M_EVENT_TEMPLATE.length).toBeGreaterThan(100);
    expect(s.entities.size).toBe(0);
  });

  it("refuses past its bounds with a reason", () => {
    const s = homeassistant.initialState();
    const cmps = Object.fromEntries(Array.from({ length: MAX_HA_COMPONENTS_PER_CONFIG + 1 }, (_, i) => [`c${i}`, { p: "sensor", stat_t: `t/${i}` }]));
    expect(configure(s, "homeassistant/device/many/config", { dev: { ids: ["many"] }, o: { name: "x" }, cmps }).problem).toMatch(/more than 256/);
    for (let i = 0; i < MAX_HA_CONFIGS; i++) homeassistant.interpret(msg(`homeassistant/sensor/s${i}/config`, { stat_t: `s/${i}` }), s);
    expect(s.configs.size).toBe(MAX_HA_CONFIGS);
    expect(configure(s, "homeassistant/sensor/one_more/config", { stat_t: "s/x" }).problem).toMatch(/more than 2000 discovery configs/);
    // Replacing a known config is not a new one.
    expect(configure(s, "homeassistant/sensor/s0/config", { stat_t: "s/0b" }).problem).toBeUndefined();
  });

  it("bounds entities over all configs", () => {
    const s = homeassistant.initialState();
    const perConfig = MAX_HA_COMPONENTS_PER_CONFIG;
    const configs = Math.ceil(MAX_HA_ENTITIES / perConfig) + 1;
    let refused: string | undefined;
    for (let n = 0; n < configs && !refused; n++) {
      const cmps = Object.fromEntries(Array.from({ length: perConfig }, (_, i) => [`c${i}`, { p: "sensor", stat_t: `d${n}/${i}` }]));
      refused = configure(s, `homeassistant/device/d${n}/config`, { dev: { ids: [`d${n}`] }, o: { name: "x" }, cmps }).problem;
    }
    expect(refused).toMatch(/more than 5000 discovered entities/);
    expect(s.entities.size).toBeLessThanOrEqual(MAX_HA_ENTITIES);
  });
});

describe("homeassistant: availability", () => {
  const config = (mode: string) => ({ stat_t: "dev/state", avty_mode: mode, avty: [{ t: "dev/lwt" }, { t: "bridge/state", val_tpl: "{{ value_json.state }}" }], dev: { ids: ["av1"] } });

  it("mode all: offline once one topic says so, online when all have said available", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/sensor/av/config", config("all"));
    expect(read(s, msg("dev/lwt", "online"))!.facts).toEqual([]); // the bridge has not spoken: unknown
    expect(one(read(s, msg("bridge/state", { state: "online" }))!.facts).liveness).toMatchObject({ status: "online", reason: "HA availability online on bridge/state" });
    expect(one(read(s, msg("bridge/state", { state: "offline" }))!.facts).liveness!.status).toBe("offline");
    // Not JSON: the template cannot read it, so it says nothing.
    expect(read(s, msg("bridge/state", "online"))!.facts).toEqual([]);
  });

  it("mode any: online once one topic says available", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/sensor/av/config", config("any"));
    expect(read(s, msg("dev/lwt", "offline"))!.facts).toEqual([]);
    expect(one(read(s, msg("bridge/state", { state: "online" }))!.facts).liveness!.status).toBe("online");
    expect(one(read(s, msg("bridge/state", { state: "offline" }))!.facts).liveness!.status).toBe("offline");
  });

  it("mode latest (the default): the last message decides", () => {
    const s = homeassistant.initialState();
    configure(s, "homeassistant/sensor/av/config", config("latest"));
    expect(one(read(s, msg("dev/lwt", "offline"))!.facts).liveness!.status).toBe("offline");
    expect(one(read(s, msg("bridge/state", { state: "online" }))!.facts).liveness!.status).toBe("online");
  });
});

describe("homeassistant: commands", () => {
  it("writes a switch's payload and expects its state_on echoed on the state topic", () => {
    const s = homeassistant.initialState();
    const dev = one(configure(s, "homeassistant/switch/plug/config", { stat_t: "plug/state", cmd_t: "plug/set", pl_on: "1", pl_off: "0", stat_on: "on", stat_off: "off", dev: { ids: ["plug"] } }).facts);
    const cmd = dev.commands![0]!;
    const { request, expect: ex } = homeassistant.encodeCommand!(dev, cmd, { value: "1" }, "c1", s);
    expect(request).toEqual({ topic: "plug/set", payload: "1", qos: 1, retain: false });
    expect(ex).toEqual({ kind: "echo", topic: "plug/state", path: ["homeassistant/switch/plug/config"], value: "on" });
    expect(homeassistant.confirms!(ex, msg("plug/state", "off"), s)).toBeNull();
    expect(homeassistant.confirms!(ex, msg("plug/state", "on", { retain: true }), s)).toBeNull();
    expect(homeassistant.confirms!(ex, msg("plug/state", "on"), s)).toEqual({ ok: true, result: "on" });
    expect(() => homeassistant.encodeCommand!(dev, cmd, { value: "2" }, "c", s)).toThrow(/one of/);
  });

  it("bounds a number by min/max and confirms it as a number", () => {
    const s = homeassistant.initialState();
    const dev = one(configure(s, "homeassistant/number/fan/speed/config", { stat_t: "fan/speed", cmd_t: "fan/speed/set", min: 0, max: 10, val_tpl: "{{ value_json.speed }}", dev: { ids: ["fan"] } }).facts);
    const cmd = dev.commands![0]!;
    expect(cmd).toMatchObject({ name: "speed", confirm: "echo", args: { properties: { value: { type: "number", minimum: 0, maximum: 10 } } } });
    expect(() => homeassistant.encodeCommand!(dev, cmd, { value: 11 }, "c", s)).toThrow(/between 0 and 10/);
    const { request, expect: ex } = homeassistant.encodeCommand!(dev, cmd, { value: 5 }, "c", s);
    expect(request.payload).toBe("5");
    expect(homeassistant.confirms!(ex, msg("fan/speed", { speed: 4 }), s)).toBeNull();
    expect(homeassistant.confirms!(ex, msg("fan/speed", { speed: "5" }), s)).toMatchObject({ ok: true });
  });

  it("confirms a button, which has no state, only by the broker relaying the press", () => {
    const s = homeassistant.initialState();
    const dev = one(configure(s, "homeassistant/button/reboot/config", { cmd_t: "dev/reboot", pl_prs: "REBOOT", dev: { ids: ["d"] } }).facts);
    const cmd = dev.commands![0]!;
    expect(cmd).toMatchObject({ name: "reboot", confirm: "reply", args: { properties: {} } });
    const { request, expect: ex } = homeassistant.encodeCommand!(dev, cmd, {}, "c", s);
    expect(request.payload).toBe("REBOOT");
    expect(ex).toEqual({ kind: "reply", topic: "dev/reboot" });
    expect(homeassistant.confirms!(ex, msg("dev/reboot", "REBOOT"), s)).toMatchObject({ ok: true });
  });

  it("reads a JSON-schema light's state from value_json.state, and offers it no bare-payload command", () => {
    const s = homeassistant.initialState();
    const dev = one(configure(s, "homeassistant/light/desk/config", { schema: "json", stat_t: "desk/light", cmd_t: "desk/light/set", brightness: true, dev: { ids: ["desk"] } }).facts);
    expect(dev.commands).toEqual([]);
    expect(one(read(s, msg("desk/light", { state: "ON", brightness: 120 }))!.facts).measurements).toEqual({ desk: { value: 1, topic: "desk/light" } });
  });

  it("offers no command whose payload needs a command_template", () => {
    const s = homeassistant.initialState();
    const dev = one(configure(s, "homeassistant/switch/t/config", { stat_t: "t/s", cmd_t: "t/set", cmd_tpl: "{{ value }}", dev: { ids: ["t"] } }).facts);
    expect(dev.commands).toEqual([]);
  });
});

describe("homeassistant + zigbee2mqtt: one physical device", () => {
  function both() {
    const interpreter = new Interpreter([zigbee2mqtt as Convention<never>, homeassistant as Convention<never>]);
    interpreter.read(msg("zigbee2mqtt/bridge/devices", [COORDINATOR, Z2M_TEST_WEATHER_SENSOR], { retain: true }));
    return interpreter;
  }

  it("names Zigbee2MQTT's device, by its id and convention, with the discovery configs as sources", () => {
    const interpreter = both();
    let last: DeviceFacts | null = null;
    for (const c of Z2M_DISCOVERY) {
      const r = interpreter.read(msg(c.topic, c.payload, { retain: true }));
      expect(r.by).toEqual(["homeassistant"]);
      last = one(r.facts);
    }
    expect(last).toEqual({
      id: z2mDeviceId("0x0017880104e45522"),
      convention: "zigbee2mqtt",
      name: "weather_sensor",
      group: "zigbee2mqtt",
      seen: false,
      sources: Z2M_DISCOVERY.map((c) => `homeassistant:${c.topic}`).sort(),
    });
    expect(last!.id).toBe("z2m.0x0017880104e45522");
  });

  it("does not count its measurements twice: the state topic is Zigbee2MQTT's alone", () => {
    const interpreter = both();
    for (const c of Z2M_DISCOVERY) interpreter.read(msg(c.topic, c.payload, { retain: true }));
    const ha = interpreter.slot("homeassistant")!;
    expect(homeassistant.claims("zigbee2mqtt/weather_sensor", ha.state as HaState)).toBe(false);
    expect(homeassistant.learnedFilters!(ha.state as HaState)).toEqual([]);
    const r = interpreter.read(msg("zigbee2mqtt/weather_sensor", { temperature: 21.3, humidity: 40, pressure: 990, battery: 90, linkquality: 80 }));
    expect(r.by).toEqual(["zigbee2mqtt"]);
    const f = one(r.facts);
    expect(f.id).toBe(z2mDeviceId("0x0017880104e45522"));
    expect(f.measurements!.temperature).toEqual({ value: 21.3, unit: "°C", topic: "zigbee2mqtt/weather_sensor" });
  });

  it("keeps Zigbee2MQTT's event entity (a Jinja program) as a source without running its template", () => {
    const s = homeassistant.initialState();
    const r = configure(s, Z2M_DISCOVERY_EVENT.topic, Z2M_DISCOVERY_EVENT.payload);
    expect(r.problem).toBeUndefined();
    expect(one(r.facts)).toMatchObject({ id: z2mDeviceId("0x0017880104e45520"), sources: [`homeassistant:${Z2M_DISCOVERY_EVENT.topic}`] });
    const sw = one(configure(s, Z2M_DISCOVERY_SWITCH_LEFT.topic, Z2M_DISCOVERY_SWITCH_LEFT.payload).facts);
    // Its command is Zigbee2MQTT's to describe: HA says none, so they are not replaced.
    expect(sw.commands).toBeUndefined();
    expect(sw).toMatchObject({ id: z2mDeviceId("0x0017880104e45542"), name: "wall_switch_double", group: "zigbee2mqtt" });
    // Deleting the last config leaves the device with no sources from here.
    expect(one(configure(s, Z2M_DISCOVERY_EVENT.topic, "").facts).sources).toEqual([]);
  });

  it("treats Zigbee2MQTT's bridge and group devices as Home Assistant devices of their own", () => {
    const s = homeassistant.initialState();
    const group = { ...Z2M_DISCOVERY_SWITCH_LEFT.payload, device: { identifiers: ["zigbee2mqtt_1221051039810110150109113116116_9"], name: "ha_discovery_group" }, state_topic: "zigbee2mqtt/ha_discovery_group" };
    expect(one(configure(s, "homeassistant/switch/1221051039810110150109113116116_9/switch/config", group).facts)).toMatchObject({ id: deviceIdFrom("ha", "zigbee2mqtt_1221051039810110150109113116116_9"), convention: "homeassistant" });
  });
});

describe("homeassistant: snapshot", () => {
  it("restores learned topics and templates, and skips entries a config would have been refused for", () => {
    const from = homeassistant.initialState();
    configure(from, HA_DOCS_DEVICE.topic, HA_DOCS_DEVICE.payload);
    configure(from, HA_TEST_EXPANSION.topic, HA_TEST_EXPANSION.text);
    const snap = JSON.parse(JSON.stringify(homeassistant.snapshot!(from))) as { prefix: string; entities: Record<string, unknown>[] };
    const to = homeassistant.initialState();
    homeassistant.restore!(snap, to);
    expect(homeassistant.learnedFilters!(to).sort()).toEqual(homeassistant.learnedFilters!(from).sort());
    expect(one(read(to, msg("sensorBedroom/state", { temperature: 20 }))!.facts).measurements!.some_unique_component_id1!.value).toBe(20);
    const evil = homeassistant.initialState();
    homeassistant.restore!({ prefix: "homeassistant", entities: [{ ...snap.entities[0], stateTopic: "#" }, { ...snap.entities[0], configTopic: "homeassistant/sensor/e/config", template: "{{ ''.__class__ }}" }] }, evil);
    expect(evil.entities.size).toBe(0);
    homeassistant.restore!("garbage", evil);
    expect(evil.entities.size).toBe(0);
  });
});
