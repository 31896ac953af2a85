import { describe, expect, it } from "vitest";
import type { CommandFact, DeviceFacts, Inbound, Interpretation } from "../convention";
import { asEpochMs } from "../model";
import {
  HOMIE_MAX_DEVICES,
  HOMIE_MAX_NODES,
  HOMIE_MAX_PENDING_VALUES,
  HOMIE_MAX_PROPERTIES,
  createHomie,
  homie,
  parseHomieTopic,
  rangeOf,
  type HomieState,
} from "./homie";
import { V4_KITCHEN_LIGHT, V4_SUPER_CAR, V5_ALERT_TEXT, V5_BRIDGE_TREE, V5_KITCHEN_LIGHT_DESCRIPTION, V5_LOGS, V5_MINIMAL_DESCRIPTION } from "./fixtures/homie/spec-examples";

const utf8 = new TextEncoder();
let clock = 1_000;

function msg(topic: string, payload: string | Uint8Array, retain = false): Inbound {
  const bytes = typeof payload === "string" ? utf8.encode(payload) : payload;
  return { topic, payload: bytes, text: new TextDecoder().decode(bytes), retain, qos: 1, ts: asEpochMs(clock++) };
}

function read(state: HomieState, topic: string, payload: string | Uint8Array, retain = false): Interpretation {
  const r = homie.interpret(msg(topic, payload, retain), state);
  if (r === null) throw new Error(`nothing for ${topic}`);
  return r;
}

function feed(state: HomieState, messages: [string, string][], retain = true): Interpretation[] {
  return messages.map(([t, p]) => read(state, t, p, retain));
}

const factOf = (r: Interpretation, id: string): DeviceFacts => {
  const f = r.facts.find((x) => x.id === id);
  if (!f) throw new Error(`no facts for ${id} in ${JSON.stringify(r.facts.map((x) => x.id))}`);
  return f;
};

const lastCommands = (rs: Interpretation[]): CommandFact[] => {
  const withCommands = rs.flatMap((r) => r.facts).filter((f) => f.commands !== undefined);
  return withCommands[withCommands.length - 1]?.commands ?? [];
};

describe("topics", () => {
  it("tells v4 from v5, and refuses $broadcast and empty levels", () => {
    expect(parseHomieTopic("homie/super-car/engine/temperature")).toEqual({ version: 4, device: "super-car", rest: ["engine", "temperature"] });
    expect(parseHomieTopic("homie/5/super-car/$state")).toEqual({ version: 5, device: "super-car", rest: ["$state"] });
    // A v4 device named "5" still has its own device attributes.
    expect(parseHomieTopic("homie/5/$name")).toEqual({ version: 4, device: "5", rest: ["$name"] });
    expect(parseHomieTopic("homie/$broadcast/alert")).toBeNull();
    expect(parseHomieTopic("homie/5/$broadcast/security/alert")).toBeNull();
    expect(parseHomieTopic("homie/dev//x")).toBeNull();
    expect(parseHomieTopic("other/dev/$state")).toBeNull();
  });

  it("reads formats as ranges, open ends and steps included", () => {
    expect(rangeOf("-20:120")).toEqual({ minimum: -20, maximum: 120 });
    expect(rangeOf("0:")).toEqual({ minimum: 0 });
    expect(rangeOf(":10")).toEqual({ maximum: 10 });
    expect(rangeOf("2:6:2")).toEqual({ minimum: 2, maximum: 6 });
    expect(rangeOf("15:10")).toEqual({});
    expect(rangeOf("rgb,hsv")).toEqual({});
  });
});

describe("Homie v4", () => {
  it("assembles the spec's super-car from its retained attributes", () => {
    const state = homie.initialState();
    const rs = feed(state, V4_SUPER_CAR);
    const id = "homie.super-car";
    expect(rs.every((r) => r.device === id && r.problem === undefined)).toBe(true);
    const ready = factOf(rs[5]!, id);
    expect(ready).toMatchObject({ name: "Super car", group: "homie", convention: "homie", seen: false, liveness: { status: "online", reason: "Homie $state ready" } });
    const value = factOf(rs[rs.length - 1]!, id);
    expect(value.measurements).toEqual({ "engine.temperature": { value: 21.5, unit: "°C", topic: "homie/super-car/engine/temperature" } });
    // A retained value is what the device said before, not now.
    expect(value.seen).toBe(false);
    expect(lastCommands(rs)).toEqual([]);
  });

  it("holds a value that comes before its datatype and reads it when the datatype arrives", () => {
    const state = homie.initialState();
    const value = read(state, "homie/super-car/engine/temperature", "21.5", true);
    expect(factOf(value, "homie.super-car").measurements).toBeUndefined();
    const unit = read(state, "homie/super-car/engine/temperature/$unit", "°C", true);
    expect(factOf(unit, "homie.super-car").measurements).toBeUndefined();
    const datatype = read(state, "homie/super-car/engine/temperature/$datatype", "float", true);
    expect(factOf(datatype, "homie.super-car").measurements).toEqual({ "engine.temperature": { value: 21.5, unit: "°C", topic: "homie/super-car/engine/temperature" } });
    // Read once: the next attribute does not say it again.
    expect(factOf(read(state, "homie/super-car/engine/temperature/$name", "T", true), "homie.super-car").measurements).toBeUndefined();
  });

  it("gives the value its unit when $unit comes after both (a broker's retained replay, in topic order)", () => {
    const state = homie.initialState();
    read(state, "homie/super-car/engine/temperature", "21.5", true);
    const datatype = read(state, "homie/super-car/engine/temperature/$datatype", "float", true);
    expect(factOf(datatype, "homie.super-car").measurements).toEqual({ "engine.temperature": { value: 21.5, topic: "homie/super-car/engine/temperature" } });
    const unit = read(state, "homie/super-car/engine/temperature/$unit", "°C", true);
    expect(factOf(unit, "homie.super-car").measurements).toEqual({ "engine.temperature": { value: 21.5, unit: "°C", topic: "homie/super-car/engine/temperature" } });
  });

  it("offers a settable boolean as a command, encodes it as Homie text and confirms it by the echo", () => {
    const state = homie.initialState();
    const rs = feed(state, V4_KITCHEN_LIGHT);
    const commands = lastCommands(rs);
    expect(commands).toEqual([
      {
        name: "light_power",
        description: "Set Power",
        args: { type: "object", properties: { value: { type: "boolean", description: "Power" } }, required: ["value"], additionalProperties: false },
        topic: "homie/kitchen-light/light/power/set",
        confirm: "echo",
      },
    ]);
    expect(factOf(rs[rs.length - 1]!, "homie.kitchen-light").measurements).toEqual({ "light.power": { value: 0, topic: "homie/kitchen-light/light/power" } });
    const device = factOf(rs[0]!, "homie.kitchen-light");
    const { request, expect: expectation } = homie.encodeCommand!(device, commands[0]!, { value: true }, "c1", state);
    expect(request).toEqual({ topic: "homie/kitchen-light/light/power/set", payload: "true", qos: 1, retain: false });
    expect(expectation).toEqual({ kind: "echo", topic: "homie/kitchen-light/light/power", path: [], value: true });
    expect(homie.confirms!(expectation, msg("homie/kitchen-light/light/power", "false"), state)).toBeNull();
    expect(homie.confirms!(expectation, msg("homie/kitchen-light/light/other", "true"), state)).toBeNull();
    expect(homie.confirms!(expectation, msg("homie/kitchen-light/light/power", "true"), state)).toEqual({ ok: true, result: { value: "true", via: "value" } });
    expect(() => homie.encodeCommand!(device, commands[0]!, { value: "yes" }, "c2", state)).toThrow(/true or false/);
    // The set request itself is the controller's, not the device speaking.
    expect(read(state, "homie/kitchen-light/light/power/set", "true")).toEqual({ device: "homie.kitchen-light", facts: [] });
  });

  it("maps $state to liveness: sleeping online, alert online with an alarm, lost offline and not seen, init unknown", () => {
    const state = homie.initialState();
    const at = (value: string) => factOf(read(state, "homie/dev/$state", value), "homie.dev");
    expect(at("init").liveness).toMatchObject({ status: "unknown", reason: "Homie $state init" });
    expect(at("sleeping").liveness).toMatchObject({ status: "online", reason: "Homie $state sleeping" });
    const alert = at("alert");
    expect(alert.liveness).toMatchObject({ status: "online", reason: "Homie $state alert" });
    expect(alert.events).toEqual([{ kind: "alarm", level: "error", text: "Homie $state alert" }]);
    expect(at("alert").events).toBeUndefined(); // still in alert: not a new alarm
    const lost = at("lost");
    expect(lost).toMatchObject({ seen: false, liveness: { status: "offline", reason: "Homie $state lost" } });
    expect(at("disconnected").liveness?.status).toBe("offline");
    const bad = read(state, "homie/dev/$state", "exploded");
    expect(bad.problem).toMatch(/not a v4 state/);
    expect(bad.facts).toEqual([]);
  });

  it("refuses a datatype it does not know and a float that is not one", () => {
    const state = homie.initialState();
    expect(read(state, "homie/dev/n/p/$datatype", "quaternion", true).problem).toMatch(/not known/);
    read(state, "homie/dev/n/f/$datatype", "float", true);
    expect(read(state, "homie/dev/n/f", "warm").problem).toMatch(/float value "warm" is not valid/);
    read(state, "homie/dev/n/i/$datatype", "integer", true);
    expect(read(state, "homie/dev/n/i", "1.5").problem).toMatch(/integer/);
    expect(factOf(read(state, "homie/dev/n/i", "-3"), "homie.dev").measurements?.["n.i"]?.value).toBe(-3);
  });
});

describe("Homie v5", () => {
  const base = "homie/5/kitchen-light";

  function described(): HomieState {
    const state = homie.initialState();
    read(state, `${base}/$state`, "ready", true);
    read(state, `${base}/$description`, JSON.stringify(V5_KITCHEN_LIGHT_DESCRIPTION), true);
    return state;
  }

  it("reads the $description: names, units, ranges, enums and commands per settable property", () => {
    const state = homie.initialState();
    const early = read(state, `${base}/engine/temperature`, "21.5", true); // before the description
    expect(early.device).toBe("homie.5.kitchen-light");
    const r = read(state, `${base}/$description`, JSON.stringify(V5_KITCHEN_LIGHT_DESCRIPTION), true);
    expect(r.problem).toBeUndefined();
    const f = factOf(r, "homie.5.kitchen-light");
    expect(f).toMatchObject({ name: "Kitchen light", group: "homie", seen: false });
    expect(f.measurements).toEqual({ "engine.temperature": { value: 21.5, unit: "°C", topic: `${base}/engine/temperature` } });
    const byName = Object.fromEntries((f.commands ?? []).map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(["light_brightness", "light_label", "light_mode", "light_power"]);
    expect(byName.light_brightness!.args.properties.value).toEqual({ type: "integer", minimum: 0, maximum: 100, description: "Brightness (%)" });
    expect(byName.light_mode!.args.properties.value).toMatchObject({ type: "string", enum: ["normal", "night", "party"] });
    expect(byName.light_power!.topic).toBe(`${base}/light/power/set`);
  });

  it("has no alert $state", () => {
    const state = homie.initialState();
    expect(read(state, `${base}/$state`, "alert").problem).toMatch(/not a v5 state/);
  });

  it("writes an empty string as 0x00 and reads 0x00 as one", () => {
    const state = described();
    const label = lastCommandsOf(state, "light_label");
    const device = factOf(read(state, `${base}/$state`, "ready"), "homie.5.kitchen-light");
    const { request, expect: e } = homie.encodeCommand!(device, label, { value: "" }, "c", state);
    expect(request.payload).toBe("\u0000");
    expect(homie.confirms!(e, msg(`${base}/light/label`, new Uint8Array([0])), state)).toEqual({ ok: true, result: { value: "", via: "value" } });
    // An empty string is a string property's value, and no number's.
    expect(read(state, `${base}/light/label`, new Uint8Array([0])).problem).toBeUndefined();
    expect(read(state, `${base}/light/brightness`, new Uint8Array([0])).problem).toMatch(/integer/);
    // An empty payload deletes: no value, no problem.
    expect(read(state, `${base}/light/brightness`, new Uint8Array(0))).toMatchObject({ device: "homie.5.kitchen-light" });
    expect(read(state, `${base}/light/brightness`, new Uint8Array(0)).problem).toBeUndefined();
  });

  function lastCommandsOf(state: HomieState, name: string): CommandFact {
    const r = read(state, `${base}/$description`, JSON.stringify(V5_KITCHEN_LIGHT_DESCRIPTION), true);
    const c = factOf(r, "homie.5.kitchen-light").commands?.find((x) => x.name === name);
    if (!c) throw new Error(`no ${name}`);
    return c;
  }

  it("confirms a set by $target, checks ranges, and numbers compare as numbers", () => {
    const state = described();
    const brightness = lastCommandsOf(state, "light_brightness");
    const device = factOf(read(state, `${base}/$state`, "ready"), "homie.5.kitchen-light");
    const { request, expect: e } = homie.encodeCommand!(device, brightness, { value: 100 }, "c", state);
    expect(request).toEqual({ topic: `${base}/light/brightness/set`, payload: "100", qos: 1, retain: false });
    expect(e).toEqual({ kind: "echo", topic: `${base}/light/brightness`, path: [], value: 100 });
    expect(homie.confirms!(e, msg(`${base}/light/brightness`, "20"), state)).toBeNull(); // on its way
    expect(homie.confirms!(e, msg(`${base}/light/brightness/$target`, "100"), state)).toEqual({ ok: true, result: { value: "100", via: "$target" } });
    expect(homie.confirms!(e, msg(`${base}/light/brightness`, "100.0"), state)).toMatchObject({ ok: true });
    expect(() => homie.encodeCommand!(device, brightness, { value: 101 }, "c", state)).toThrow(/0\.\.100/);
    expect(() => homie.encodeCommand!(device, brightness, { value: 1.5 }, "c", state)).toThrow(/whole/);
    expect(() => homie.encodeCommand!(device, lastCommandsOf(state, "light_mode"), { value: "disco" }, "c", state)).toThrow(/one of/);
  });

  it("refuses values of properties the description does not list", () => {
    const state = described();
    expect(read(state, `${base}/light/unknown`, "1").problem).toMatch(/not in the \$description/);
  });

  it("makes every child lost while its root is, and gives them back their own state after", () => {
    const state = homie.initialState();
    for (const [id, d] of Object.entries(V5_BRIDGE_TREE)) {
      read(state, `homie/5/${id}/$description`, JSON.stringify(d), true);
      read(state, `homie/5/${id}/$state`, "ready", true);
    }
    const light1 = factOf(read(state, "homie/5/light1/$state", "ready", true), "homie.5.light1");
    expect(light1).toMatchObject({ name: "First light", group: "bridge", liveness: { status: "online" } });

    const lost = read(state, "homie/5/bridge/$state", "lost");
    expect(lost.device).toBe("homie.5.bridge");
    expect(factOf(lost, "homie.5.bridge").liveness).toMatchObject({ status: "offline", reason: "Homie $state lost" });
    for (const child of ["dualrelay", "light1", "light2"]) {
      expect(factOf(lost, `homie.5.${child}`).liveness).toMatchObject({ status: "offline", reason: "Homie $state lost (root bridge)" });
    }
    // A child's own `ready` does not outrank its root's LWT.
    expect(factOf(read(state, "homie/5/light2/$state", "ready"), "homie.5.light2").liveness).toMatchObject({ status: "offline", reason: "Homie $state lost (root bridge)" });

    const back = read(state, "homie/5/bridge/$state", "ready");
    expect(factOf(back, "homie.5.light1").liveness).toMatchObject({ status: "online", reason: "Homie $state ready" });
    // Another state change that is not to or from lost says nothing about the children.
    expect(read(state, "homie/5/bridge/$state", "sleeping").facts.map((f) => f.id)).toEqual(["homie.5.bridge"]);
  });

  it("turns $log lines into log events with Fleetscope's levels", () => {
    const state = homie.initialState();
    const [[level, text]] = V5_LOGS as [[string, string]];
    expect(factOf(read(state, `homie/5/my-device/$log/${level}`, text), "homie.5.my-device")).toMatchObject({ seen: true, events: [{ kind: "log", level: "warning", text: "battery low" }] });
    expect(factOf(read(state, "homie/5/my-device/$log/fatal", "halted"), "homie.5.my-device").events).toEqual([{ kind: "log", level: "critical", text: "halted" }]);
    expect(factOf(read(state, "homie/5/my-device/$log/error", V5_LOGS[1]![1]), "homie.5.my-device").events?.[0]?.level).toBe("error");
    expect(read(state, "homie/5/my-device/$log/verbose", "x").problem).toMatch(/not debug, info/);
    // 0x00 is v5's empty string: an empty line is no event.
    expect(factOf(read(state, "homie/5/my-device/$log/info", new Uint8Array([0])), "homie.5.my-device").events).toBeUndefined();
  });

  it("raises an $alert once, and says when it is cleared", () => {
    const state = homie.initialState();
    const topic = "homie/5/test-device-1/$alert/battery";
    expect(factOf(read(state, topic, V5_ALERT_TEXT, true), "homie.5.test-device-1").events).toEqual([{ kind: "alarm", level: "warning", text: "battery: Battery is low!" }]);
    expect(factOf(read(state, topic, V5_ALERT_TEXT, true), "homie.5.test-device-1").events).toBeUndefined();
    expect(factOf(read(state, topic, new Uint8Array(0)), "homie.5.test-device-1").events).toEqual([{ kind: "log", level: "info", text: "Homie alert battery cleared" }]);
    expect(factOf(read(state, topic, new Uint8Array(0)), "homie.5.test-device-1").events).toBeUndefined();
  });

  it("reads homie5's minimal description and forgets a device whose $state is removed", () => {
    const state = homie.initialState();
    const f = factOf(read(state, "homie/5/test-device-1/$description", V5_MINIMAL_DESCRIPTION, true), "homie.5.test-device-1");
    expect(f).toMatchObject({ name: "Test Device", commands: [] });
    const removed = read(state, "homie/5/test-device-1/$state", new Uint8Array(0));
    expect(factOf(removed, "homie.5.test-device-1").liveness).toMatchObject({ status: "unknown", reason: "Homie $state removed" });
    expect(state.devices.size).toBe(0);
    // Clearing the rest of its topics creates nothing.
    expect(homie.interpret(msg("homie/5/test-device-1/$description", new Uint8Array(0)), state)).toBeNull();
    expect(state.devices.size).toBe(0);
  });

  it("says what is wrong with a broken $description and keeps what it had", () => {
    const state = described();
    expect(read(state, `${base}/$description`, "{not json").problem).toMatch(/not a JSON object/);
    expect(read(state, `${base}/$description`, '{"homie":"5.0","name":"x"}').problem).toMatch(/bad field version/);
    expect(factOf(read(state, `${base}/light/brightness`, "40"), "homie.5.kitchen-light").measurements?.["light.brightness"]).toMatchObject({ value: 40, unit: "%" });
    const partial = read(state, `${base}/$description`, JSON.stringify({ homie: "5.0", name: "x", version: 8, nodes: { n: { properties: { ok: { datatype: "float" }, bad: { datatype: "quaternion" } } } } }));
    expect(partial.problem).toMatch(/skipped property n\/bad/);
    expect(factOf(read(state, `${base}/n/ok`, "1.5"), "homie.5.kitchen-light").measurements?.["n.ok"]?.value).toBe(1.5);
  });
});

describe("bounds", () => {
  it(`refuses devices past HOMIE_MAX_DEVICES (${HOMIE_MAX_DEVICES})`, () => {
    const state = homie.initialState();
    for (let i = 0; i < HOMIE_MAX_DEVICES; i++) expect(read(state, `homie/d${i}/$state`, "ready").problem).toBeUndefined();
    const past = read(state, "homie/one-more/$state", "ready");
    expect(past.problem).toMatch(/more than 2000 devices/);
    expect(past.facts).toEqual([]);
    // Known devices still read.
    expect(read(state, "homie/d0/$state", "lost").problem).toBeUndefined();
  });

  it(`refuses values past HOMIE_MAX_PENDING_VALUES (${HOMIE_MAX_PENDING_VALUES}) waiting for their datatype`, () => {
    const state = homie.initialState();
    for (let i = 0; i < HOMIE_MAX_PENDING_VALUES; i++) expect(read(state, `homie/5/dev/n/p${i}`, "1").problem).toBeUndefined();
    expect(read(state, "homie/5/dev/n/p0", "2").problem).toBeUndefined(); // the same one again: replaced
    expect(read(state, "homie/5/dev/n/one-more", "1").problem).toMatch(/more than 64 values waiting/);
  });

  it(`keeps HOMIE_MAX_PROPERTIES (${HOMIE_MAX_PROPERTIES}) properties and HOMIE_MAX_NODES (${HOMIE_MAX_NODES}) nodes of a description`, () => {
    const state = homie.initialState();
    const props = Object.fromEntries(Array.from({ length: HOMIE_MAX_PROPERTIES + 10 }, (_, i) => [`p${i}`, { datatype: "integer", settable: true }]));
    const r = read(state, "homie/5/big/$description", JSON.stringify({ homie: "5.0", name: "big", version: 1, nodes: { n: { properties: props } } }));
    expect(r.problem).toMatch(/properties past 256/);
    expect(factOf(r, "homie.5.big").commands).toHaveLength(HOMIE_MAX_PROPERTIES);
    const nodes = Object.fromEntries(Array.from({ length: HOMIE_MAX_NODES + 1 }, (_, i) => [`n${i}`, { properties: { p: { datatype: "float" } } }]));
    const wide = read(state, "homie/5/wide/$description", JSON.stringify({ homie: "5.0", name: "wide", version: 1, nodes }));
    expect(wide.problem).toMatch(/nodes past 64/);
    expect(read(state, "homie/5/wide/n63/p", "1").problem).toBeUndefined();
    expect(read(state, "homie/5/wide/n64/p", "1").problem).toMatch(/not in the \$description/);
  });

  it("refuses v4 properties past the limit", () => {
    const state = homie.initialState();
    for (let i = 0; i < HOMIE_MAX_PROPERTIES; i++) read(state, `homie/dev/n${i % 8}/p${i}/$datatype`, "float", true);
    expect(read(state, "homie/dev/n0/more/$datatype", "float", true).problem).toMatch(/more than 256 properties/);
  });
});

describe("the rest of the seam", () => {
  it("keeps v4 and v5 devices of one id apart", () => {
    const state = homie.initialState();
    expect(read(state, "homie/dev/$state", "ready").device).toBe("homie.dev");
    expect(read(state, "homie/5/dev/$state", "ready").device).toBe("homie.5.dev");
    expect(state.devices.size).toBe(2);
  });

  it("says nothing of payloads too large to parse and of the broadcast topic", () => {
    const state = homie.initialState();
    const big: Inbound = { ...msg("homie/dev/$name", "x"), text: null };
    expect(homie.interpret(big, state)?.problem).toBe("too_large");
    expect(homie.interpret(msg("homie/$broadcast/alert", "Intruder detected"), state)).toBeNull();
    expect(homie.interpret(msg("homie/5/$broadcast/security/alert", "Intruder detected"), state)).toBeNull();
  });

  it("grants a device its own topics and its set requests, and nothing to a wildcard name", () => {
    expect(homie.deviceAccess!("kitchen-light")).toEqual({
      publish: ["homie/kitchen-light/#", "homie/5/kitchen-light/#"],
      subscribe: ["homie/kitchen-light/+/+/set", "homie/5/kitchen-light/+/+/set", "homie/$broadcast/#", "homie/5/$broadcast/#"],
    });
    expect(homie.deviceAccess!("#")).toEqual({ publish: [], subscribe: [] });
    expect(homie.deviceAccess!("a/b")).toEqual({ publish: [], subscribe: [] });
    expect(homie.filters).toEqual(["homie/#"]);
    expect(homie.claims("homie/x/$state", homie.initialState())).toBe(true);
    expect(homie.claims("homies/x/$state", homie.initialState())).toBe(false);
  });

  it("reads another root domain, with ids that cannot meet the default one's", () => {
    const mine = createHomie({ root: "myhome" });
    const state = mine.initialState();
    expect(mine.filters).toEqual(["myhome/#"]);
    expect(mine.claims("homie/dev/$state", state)).toBe(false);
    const r = mine.interpret(msg("myhome/dev/$state", "ready"), state);
    expect(r?.device).toBe("homie.~24myhome.dev");
    expect(r?.facts[0]?.group).toBe("myhome");
    expect(() => createHomie({ root: "a/b" })).toThrow();
  });
});
