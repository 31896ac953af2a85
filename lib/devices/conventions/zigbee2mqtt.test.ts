import { describe, expect, it } from "vitest";
import { deviceIdFrom, type DeviceFacts, type Inbound } from "../convention";
import { asEpochMs } from "../model";
import { createZigbee2mqtt, ieeeFromHaIdentifier, MAX_Z2M_DEVICES, z2mDeviceId, zigbee2mqtt, type Z2mState } from "./zigbee2mqtt";
import { AQARA_BULB, AQARA_BULB_STATE, AQARA_MOTION, AQARA_WSDCGQ11LM, AQARA_WSDCGQ11LM_STATE, COORDINATOR, IKEA_LED1624G9 } from "./fixtures/zigbee2mqtt/bridge-devices";

const enc = new TextEncoder();

function msg(topic: string, payload: string | object, opts: { retain?: boolean; ts?: number; textNull?: boolean } = {}): Inbound {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { topic, payload: enc.encode(text), text: opts.textNull ? null : text, retain: opts.retain ?? false, qos: 0, ts: asEpochMs(opts.ts ?? 1000) };
}

/** The live capture's bulb renamed with a `/` (the docs' example), and its motion sensor renamed `kitchen`. */
const BULB = { ...AQARA_BULB, friendly_name: "kitchen/floor_light" };
const KITCHEN = { ...AQARA_MOTION, friendly_name: "kitchen" };
const LIST = [COORDINATOR, AQARA_WSDCGQ11LM, BULB, KITCHEN, IKEA_LED1624G9];

function listed(list: unknown[] = LIST): Z2mState {
  const s = zigbee2mqtt.initialState();
  const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", list, { retain: true }), s);
  expect(r?.problem).toBeUndefined();
  return s;
}

function read(s: Z2mState, m: Inbound) {
  expect(zigbee2mqtt.claims(m.topic, s)).toBe(true);
  return zigbee2mqtt.interpret(m, s);
}

const one = (facts: DeviceFacts[] | undefined): DeviceFacts => {
  expect(facts).toHaveLength(1);
  return facts![0]!;
};

describe("zigbee2mqtt: bridge/devices", () => {
  it("describes every listed device by its IEEE address, leaving the coordinator out", () => {
    const s = zigbee2mqtt.initialState();
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", LIST, { retain: true }), s)!;
    expect(r.device).toBeNull();
    expect(r.facts.map((f) => f.id)).toEqual([z2mDeviceId("0x00158d00040757a6"), z2mDeviceId("0x00158d00041138dd"), z2mDeviceId("0x00158d000411086c"), z2mDeviceId("0x90fd9ffffe6494fc")]);
    expect(r.facts.map((f) => f.id)).not.toContain(z2mDeviceId(COORDINATOR.ieee_address));
    const sensor = r.facts[0]!;
    expect(sensor).toMatchObject({ id: "z2m.0x00158d00040757a6", convention: "zigbee2mqtt", name: "Bedroom temperature, humidity and pressure sensor", group: "zigbee2mqtt", model: "WSDCGQ11LM", maker: "Xiaomi", seen: false, commands: [] });
  });

  it("offers commands for exposes both settable and published, with the expose's range", () => {
    const s = zigbee2mqtt.initialState();
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", LIST), s)!;
    const bulb = r.facts.find((f) => f.name === "kitchen/floor_light")!;
    const names = bulb.commands!.map((c) => c.name);
    // effect is set-only (access 2): nothing would confirm it; linkquality is read-only.
    expect(names).toEqual(["state", "brightness", "color_temp", "power_outage_memory"]);
    const state = bulb.commands![0]!;
    expect(state).toMatchObject({ topic: "zigbee2mqtt/kitchen/floor_light/set", confirm: "echo" });
    expect(state.args.properties.state).toEqual({ type: "string", enum: ["ON", "OFF", "TOGGLE"] });
    expect(bulb.commands![1]!.args.properties.brightness).toEqual({ type: "integer", minimum: 0, maximum: 254 });
    expect(bulb.commands![3]!.args.properties.power_outage_memory).toEqual({ type: "boolean" });
    // The IKEA bulb's composite colour (x/y, hue/saturation) takes two arguments: not offered.
    const ikea = r.facts.find((f) => f.name === "my_bulb")!;
    expect(ikea.commands!.map((c) => c.name)).toEqual(["state", "brightness", "color_temp"]);
  });

  it("refuses a list longer than the bound whole, keeping what it knew", () => {
    const s = listed();
    const many = Array.from({ length: MAX_Z2M_DEVICES + 2 }, (_, i) => ({ ...KITCHEN, friendly_name: `d${i}`, ieee_address: `0x${i.toString(16).padStart(16, "0")}` }));
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", many), s)!;
    expect(r.problem).toMatch(/more than 1000/);
    expect(r.facts).toEqual([]);
    expect(s.byName.has("kitchen")).toBe(true);
    expect(s.byName.has("d0")).toBe(false);
  });

  it("reads a list too large for the bridge's text limit from the payload bytes", () => {
    const s = zigbee2mqtt.initialState();
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", LIST, { textNull: true }), s)!;
    expect(r.facts).toHaveLength(4);
    expect(s.listed).toBe(true);
  });

  it("says a problem for a list that is not a JSON array", () => {
    const s = zigbee2mqtt.initialState();
    expect(zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", "{}"), s)?.problem).toMatch(/not a JSON array/);
    expect(zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", "[oops"), s)?.problem).toMatch(/not JSON/);
    expect(s.listed).toBe(false);
  });
});

describe("zigbee2mqtt: state", () => {
  it("gives measurements with the exposes' units", () => {
    const s = listed();
    const r = read(s, msg("zigbee2mqtt/Bedroom temperature, humidity and pressure sensor", AQARA_WSDCGQ11LM_STATE))!;
    const f = one(r.facts);
    expect(r.device).toBe(z2mDeviceId("0x00158d00040757a6"));
    expect(f.seen).toBe(true);
    const t = "zigbee2mqtt/Bedroom temperature, humidity and pressure sensor";
    expect(f.measurements).toEqual({
      battery: { value: 100, unit: "%", topic: t },
      humidity: { value: 44.43, unit: "%", topic: t },
      linkquality: { value: 152, unit: "lqi", topic: t },
      power_outage_count: { value: 1616, topic: t },
      pressure: { value: 957.4, unit: "hPa", topic: t },
      temperature: { value: 20.74, unit: "°C", topic: t },
      voltage: { value: 3025, unit: "mV", topic: t },
    });
  });

  it("counts binary exposes as 1/0 and flattens nested objects with dots", () => {
    const s = listed();
    const f = one(read(s, msg("zigbee2mqtt/kitchen/floor_light", AQARA_BULB_STATE))!.facts);
    expect(f.id).toBe(z2mDeviceId("0x00158d00041138dd"));
    const values = Object.fromEntries(Object.entries(f.measurements!).map(([k, m]) => [k, m.value]));
    expect(values).toEqual({ brightness: 41, color_temp: 260, linkquality: 220, state: 0, "update.installed_version": 31, "update.latest_version": 34, update_available: 1 });
    expect(f.measurements!.color_temp!.unit).toBe("mired");
    expect(one(read(s, msg("zigbee2mqtt/kitchen/floor_light", { state: "ON" }))!.facts).measurements!.state!.value).toBe(1);
    expect(one(read(s, msg("zigbee2mqtt/kitchen", { occupancy: true, illuminance: 12 }))!.facts).measurements).toMatchObject({ occupancy: { value: 1 }, illuminance: { value: 12, unit: "lx" } });
    const ikea = one(read(s, msg("zigbee2mqtt/my_bulb", { state: "ON", color: { x: 0.4, y: 0.3 } }))!.facts);
    expect(ikea.measurements!["color.x"]).toEqual({ value: 0.4, topic: "zigbee2mqtt/my_bulb" });
  });

  it("takes a friendly name with `/` whole: the longest listed name wins, levels are never split", () => {
    const s = listed();
    expect(one(read(s, msg("zigbee2mqtt/kitchen/floor_light", { state: "ON" }))!.facts).id).toBe(z2mDeviceId(BULB.ieee_address));
    expect(one(read(s, msg("zigbee2mqtt/kitchen", { occupancy: false }))!.facts).id).toBe(z2mDeviceId(KITCHEN.ieee_address));
    const avail = one(read(s, msg("zigbee2mqtt/kitchen/floor_light/availability", { state: "offline" }))!.facts);
    expect(avail).toMatchObject({ id: z2mDeviceId(BULB.ieee_address), name: "kitchen/floor_light", liveness: { status: "offline" } });
    // A request belongs to the device but says nothing of it.
    expect(read(s, msg("zigbee2mqtt/kitchen/floor_light/set", { state: "ON" }))).toEqual({ device: z2mDeviceId(BULB.ieee_address), facts: [] });
    // kitchen + an unknown level is neither device.
    expect(read(s, msg("zigbee2mqtt/kitchen/other", { a: 1 }))).toBeNull();
    expect(read(s, msg("zigbee2mqtt/not_a_device", { a: 1 }))).toBeNull();
  });

  it("before the list, takes an IEEE-named device at once, and holds a renamed one's state until the list names it", () => {
    const s = zigbee2mqtt.initialState();
    // Never renamed: the friendly name is the IEEE address, so the id is already the final one.
    expect(one(read(s, msg("zigbee2mqtt/0x00158d00040757a6", { temperature: 20 }))!.facts).id).toBe(z2mDeviceId("0x00158d00040757a6"));
    // Renamed: no device under a name the list may say is another's; kept for the list instead.
    expect(read(s, msg("zigbee2mqtt/kitchen/floor_light", { state: "ON", brightness: 40 }))).toEqual({ device: null, facts: [] });
    expect(read(s, msg("zigbee2mqtt/kitchen/floor_light", { state: "ON", brightness: 90 }))).toEqual({ device: null, facts: [] });
    expect(read(s, msg("zigbee2mqtt/kitchen/floor_light/availability", { state: "online" }))).toEqual({ device: null, facts: [] });
    expect(read(s, msg("zigbee2mqtt/some/text", "hello"))).toBeNull();
    expect(read(s, msg("zigbee2mqtt/bridge/info", { version: "2.1.0" }))).toBeNull();
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", LIST, { retain: true }), s)!;
    const bulb = r.facts.filter((f) => f.id === z2mDeviceId(BULB.ieee_address));
    expect(bulb.some((f) => f.measurements?.brightness?.value === 90)).toBe(true);
    expect(bulb.some((f) => f.liveness?.status === "online")).toBe(true);
    expect(r.facts.every((f) => f.id !== deviceIdFrom("z2m", "kitchen/floor_light"))).toBe(true);
    expect(s.held.size).toBe(0);
  });

  it("makes a device that leaves the list unknown, saying so", () => {
    const s = listed();
    const r = zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", [COORDINATOR, AQARA_WSDCGQ11LM, BULB, KITCHEN], { retain: true, ts: 2000 }), s)!;
    expect(r.facts.find((f) => f.id === z2mDeviceId(IKEA_LED1624G9.ieee_address))).toMatchObject({ liveness: { status: "unknown", reason: "no longer in Zigbee2MQTT's bridge/devices", since: 2000 } });
  });

  it("says not_json_object for a state that is not an object", () => {
    const s = listed();
    expect(read(s, msg("zigbee2mqtt/kitchen", "ON"))?.problem).toBe("not_json_object");
  });
});

describe("zigbee2mqtt: availability", () => {
  it("reads 2.x JSON and 1.x plain payloads; a retained one is not a sighting", () => {
    const s = listed();
    const json = one(read(s, msg("zigbee2mqtt/kitchen/availability", { state: "online" }, { retain: true, ts: 5 }))!.facts);
    expect(json).toMatchObject({ seen: false, liveness: { status: "online", reason: "Zigbee2MQTT availability online", since: 5 } });
    const plain = one(read(s, msg("zigbee2mqtt/kitchen/availability", "offline"))!.facts);
    expect(plain).toMatchObject({ seen: true, liveness: { status: "offline", reason: "Zigbee2MQTT availability offline" } });
    expect(read(s, msg("zigbee2mqtt/kitchen/availability", "maybe"))?.problem).toMatch(/neither online nor offline/);
  });

  it("makes listed devices unknown when the bridge goes offline, and changes nothing when it returns", () => {
    const s = listed();
    const off = read(s, msg("zigbee2mqtt/bridge/state", { state: "offline" }, { retain: true }))!;
    expect(off.device).toBeNull();
    expect(off.facts).toHaveLength(4);
    expect(off.facts.every((f) => f.liveness?.status === "unknown" && f.liveness.reason === "Zigbee2MQTT bridge offline")).toBe(true);
    expect(read(s, msg("zigbee2mqtt/bridge/state", "online"))).toEqual({ device: null, facts: [] });
    expect(s.bridge).toBe("online");
  });
});

describe("zigbee2mqtt: commands", () => {
  const bulbFacts = (s: Z2mState): DeviceFacts => zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", LIST), s)!.facts.find((f) => f.name === "kitchen/floor_light")!;

  it("writes {property: value} to /set and expects the state to echo it", () => {
    const s = zigbee2mqtt.initialState();
    const dev = bulbFacts(s);
    const brightness = dev.commands!.find((c) => c.name === "brightness")!;
    const { request, expect: ex } = zigbee2mqtt.encodeCommand!(dev, brightness, { brightness: 128 }, "c1", s);
    expect(request).toEqual({ topic: "zigbee2mqtt/kitchen/floor_light/set", payload: '{"brightness":128}', qos: 1, retain: false });
    expect(ex).toEqual({ kind: "echo", topic: "zigbee2mqtt/kitchen/floor_light", path: ["brightness"], value: 128 });
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { brightness: 100, state: "ON" }), s)).toBeNull();
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen", { brightness: 128 }), s)).toBeNull();
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { brightness: 128 }, { retain: true }), s)).toBeNull();
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { brightness: 128, state: "ON" }), s)).toEqual({ ok: true, result: { brightness: 128 } });
    // Numbers as numbers: a numeric string echo is the same value.
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { brightness: "128" }), s)).toMatchObject({ ok: true });
  });

  it("confirms a TOGGLE by any on/off echo, and fails on Zigbee2MQTT's publish error", () => {
    const s = zigbee2mqtt.initialState();
    const dev = bulbFacts(s);
    const state = dev.commands!.find((c) => c.name === "state")!;
    const { expect: ex } = zigbee2mqtt.encodeCommand!(dev, state, { state: "TOGGLE" }, "c2", s);
    expect(ex).toMatchObject({ kind: "echo", value: "TOGGLE" });
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { brightness: 3 }), s)).toBeNull();
    expect(zigbee2mqtt.confirms!(ex, msg("zigbee2mqtt/kitchen/floor_light", { state: "OFF" }), s)).toEqual({ ok: true, result: { state: "OFF" } });
    const failed = msg("zigbee2mqtt/bridge/logging", { level: "error", message: "Publish 'set' 'state' to 'kitchen/floor_light' failed: 'Error: Command 0x00158d00041138dd/1 genOnOff.toggle({}) failed (Timeout)'" });
    expect(zigbee2mqtt.confirms!(ex, failed, s)).toMatchObject({ ok: false, error: expect.stringContaining("failed") });
    const other = msg("zigbee2mqtt/bridge/logging", { level: "error", message: "Publish 'set' 'state' to 'kitchen' failed: 'x'" });
    expect(zigbee2mqtt.confirms!(ex, other, s)).toBeNull();
  });

  it("refuses arguments outside the expose", () => {
    const s = zigbee2mqtt.initialState();
    const dev = bulbFacts(s);
    const brightness = dev.commands!.find((c) => c.name === "brightness")!;
    const state = dev.commands!.find((c) => c.name === "state")!;
    expect(() => zigbee2mqtt.encodeCommand!(dev, brightness, { brightness: 300 }, "x", s)).toThrow(/at most 254/);
    expect(() => zigbee2mqtt.encodeCommand!(dev, brightness, { brightness: 1.5 }, "x", s)).toThrow(/integer/);
    expect(() => zigbee2mqtt.encodeCommand!(dev, brightness, {}, "x", s)).toThrow(/required/);
    expect(() => zigbee2mqtt.encodeCommand!(dev, state, { state: "BLINK" }, "x", s)).toThrow(/one of/);
    expect(() => zigbee2mqtt.encodeCommand!(dev, state, { state: "ON", extra: 1 }, "x", s)).toThrow(/unknown argument extra/);
  });

  it("writes to the current friendly name after a rename: the id stays", () => {
    const s = zigbee2mqtt.initialState();
    const dev = bulbFacts(s);
    const state = dev.commands!.find((c) => c.name === "state")!;
    zigbee2mqtt.interpret(msg("zigbee2mqtt/bridge/devices", [COORDINATOR, { ...BULB, friendly_name: "hall/lamp" }]), s);
    const { request } = zigbee2mqtt.encodeCommand!(dev, state, { state: "ON" }, "c3", s);
    expect(request.topic).toBe("zigbee2mqtt/hall/lamp/set");
    expect(one(read(s, msg("zigbee2mqtt/hall/lamp", { state: "ON" }))!.facts).id).toBe(dev.id);
  });
});

describe("zigbee2mqtt: access, base topic, snapshot", () => {
  it("lets the bridge publish and subscribe under its base, and publish Home Assistant discovery", () => {
    expect(zigbee2mqtt.deviceAccess!("zigbee2mqtt")).toEqual({ publish: ["zigbee2mqtt/#", "homeassistant/#"], subscribe: ["zigbee2mqtt/#", "homeassistant/status"] });
    expect(zigbee2mqtt.deviceAccess!("#")).toEqual({ publish: [], subscribe: [] });
  });

  it("reads a configured base topic and nothing outside it", () => {
    const c = createZigbee2mqtt("z2m/lab");
    const s = c.initialState();
    expect(c.filters).toEqual(["z2m/lab/#"]);
    expect(c.claims("zigbee2mqtt/kitchen", s)).toBe(false);
    c.interpret(msg("z2m/lab/bridge/devices", LIST), s);
    expect(one(c.interpret(msg("z2m/lab/kitchen", { occupancy: true }), s)!.facts)).toMatchObject({ id: z2mDeviceId(KITCHEN.ieee_address), group: "z2m/lab" });
    expect(() => createZigbee2mqtt("a/+")).toThrow();
  });

  it("restores a snapshot (units and names) and ignores one that does not validate", () => {
    const from = listed();
    const to = zigbee2mqtt.initialState();
    zigbee2mqtt.restore!(JSON.parse(JSON.stringify(zigbee2mqtt.snapshot!(from))), to);
    const f = one(zigbee2mqtt.interpret(msg("zigbee2mqtt/kitchen/floor_light", { color_temp: 300 }), to)!.facts);
    expect(f).toMatchObject({ id: z2mDeviceId(BULB.ieee_address), measurements: { color_temp: { value: 300, unit: "mired" } } });
    const fresh = zigbee2mqtt.initialState();
    zigbee2mqtt.restore!({ base: "zigbee2mqtt", listed: true, devices: [{ ieee: 1, name: {} }] }, fresh);
    zigbee2mqtt.restore!({ base: "other", listed: true, devices: [] }, fresh);
    expect(fresh.listed).toBe(false);
  });

  it("reads the IEEE address of Zigbee2MQTT's HA identifiers, not the bridge's or a group's", () => {
    expect(ieeeFromHaIdentifier("zigbee2mqtt_0x00158d0001a2b3c4")).toBe("0x00158d0001a2b3c4");
    expect(ieeeFromHaIdentifier("zigbee2mqtt_bridge_0x00124b00120144ae")).toBeNull();
    expect(ieeeFromHaIdentifier("zigbee2mqtt_1221051039810110150109113116116_9")).toBeNull();
  });
});
