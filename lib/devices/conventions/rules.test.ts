import { describe, expect, it } from "vitest";
import type { CommandFact, DeviceFacts, Inbound } from "../convention";
import { asEpochMs } from "../model";
import {
  MAX_FIELDS_PER_RULE,
  MAX_RULES,
  compileRule,
  parseRules,
  ruleConvention,
  type Rule,
} from "./rules";
import { previewRule } from "./rule-preview";
import { suggestRule } from "./rule-suggest";

const utf8 = new TextEncoder();
const msg = (topic: string, text: string | null, extra: Partial<Inbound> = {}): Inbound => ({
  topic,
  payload: utf8.encode(text ?? ""),
  text,
  retain: false,
  qos: 0,
  ts: asEpochMs(1_000),
  ...extra,
});

const EXAMPLE = {
  name: "plant-lines",
  pattern: "plant/{site}/line/{line}/{device}/#",
  group: "{site}",
  name_from: "{device}",
  fields: [
    { topic: "telemetry", path: "$.temp", name: "temp", unit: "°C" },
    { topic: "telemetry", path: "$.motor.current", name: "current", unit: "A" },
    { topic: "telemetry", path: "$.running", name: "running" },
    { topic: "power", path: "$", name: "power", unit: "W" },
  ],
  status: { topic: "status", online: ["online", "1"], offline: ["offline", "0"] },
  events: [{ topic: "alarm", kind: "alarm", level_path: "$.level", text_path: "$.msg" }],
  commands: [
    { name: "reset", topic: "cmd/reset", args: { type: "object", properties: {} }, confirm: { topic: "cmd/reset/ack" } },
    {
      name: "speed",
      topic: "cmd/speed",
      args: { type: "object", properties: { rpm: { type: "integer", minimum: 0, maximum: 3000 } }, required: ["rpm"] },
      payload: "SPEED {{rpm}} #{{$id}}",
      confirm: { kind: "echo", topic: "telemetry", path: "$.motor.rpm", value_arg: "rpm" },
    },
  ],
  seq_path: "$.seq",
};

const rulesOf = (...rules: unknown[]) => ({ rules });
const parsed = (raw: unknown): Rule => {
  const r = parseRules(rulesOf(raw));
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.rules[0]!;
};
const errorsOf = (json: unknown): string[] => {
  const r = parseRules(json);
  return r.ok ? [] : r.errors;
};
const DEVICE_TOPIC = "plant/berlin/line/3/press-7";

describe("parseRules", () => {
  it("takes the documented example", () => {
    const r = parseRules(rulesOf(EXAMPLE));
    expect(r.ok).toBe(true);
    expect(r.ok && r.rules[0]!.name).toBe("plant-lines");
  });

  it("names the rule and the key of every error", () => {
    const bad = { ...EXAMPLE, fields: [EXAMPLE.fields[0], { ...EXAMPLE.fields[1], path: "motor.current" }] };
    expect(errorsOf(rulesOf(bad))).toEqual(['rule "plant-lines": fields[1].path: must start with "$"']);
  });

  it("names a rule without a usable name by its index, and reports every rule's errors at once", () => {
    const errors = errorsOf(rulesOf(EXAMPLE, { pattern: "a/{d}" }, { name: "x", pattern: "a{b}/c", nmae: 1 }));
    expect(errors).toContain("rules[1]: name: Invalid input: expected string, received undefined");
    expect(errors).toContainEqual(expect.stringMatching(/^rule "x": pattern: level 1 "a\{b\}": a named wildcard must be the whole level/));
    expect(errors).toContainEqual('rule "x": Unrecognized key: "nmae"');
  });

  it("checks what spans keys: template names, sub-topics without #, repeated names, confirms", () => {
    const errors = errorsOf(
      rulesOf({
        name: "r",
        pattern: "s/{site}/{device}",
        id: "{site}_{nope}",
        group: "{area}",
        fields: [
          { path: "$.a", name: "a" },
          { topic: "telemetry", path: "$.b", name: "a" },
        ],
      }),
    );
    expect(errors).toEqual([
      'rule "r": id: {nope} is not a named wildcard of the pattern ({site}, {device})',
      'rule "r": group: {area} is not a named wildcard of the pattern ({site}, {device})',
      'rule "r": fields[1].name: "a" is already fields[0]\'s name',
      'rule "r": fields[1].topic: the pattern has no "#" for "telemetry" to follow',
    ]);
    const commandErrors = errorsOf(
      rulesOf({
        name: "c",
        pattern: "s/{device}/#",
        commands: [
          { name: "go", topic: "cmd/go", payload: "{{speed}}", confirm: { topic: "cmd/go" } },
          { name: "go", topic: "cmd/go2", confirm: { kind: "echo", topic: "state", value_arg: "x" } },
        ],
      }),
    );
    expect(commandErrors).toEqual([
      'rule "c": commands[0].payload: {{speed}} is neither an argument of the command nor {{$id}}',
      'rule "c": commands[0].confirm.topic: must differ from the command\'s own topic, or every request would confirm itself',
      'rule "c": commands[1].confirm.path: an echo needs the path where the device\'s state shows the value',
      'rule "c": commands[1].confirm.value_arg: "x" is not an argument of the command',
      'rule "c": commands[1].name: "go" is already commands[0]\'s name',
    ]);
  });

  it("refuses sub-topics with wildcards of the wrong kind and rule names used twice", () => {
    const errors = errorsOf(rulesOf({ name: "r", pattern: "s/{device}/#", fields: [{ topic: "{x}", path: "$", name: "a" }], commands: [{ name: "go", topic: "cmd/+", confirm: { topic: "ack" } }] }, { name: "r", pattern: "t/{d}" }));
    expect(errors).toEqual([
      'rule "r": fields[0].topic: takes no named wildcards: "{…}" belong in the pattern',
      'rule "r": commands[0].topic: a topic name must not contain + or # [MQTT-3.3.2-2]',
      'rule "r": name: rules[0] already has this name',
    ]);
    // A repeated name is said even when the repeat has errors of its own.
    expect(errorsOf(rulesOf({ name: "r", pattern: "t/{d}" }, { name: "r", pattern: "a{b}" }))).toContain('rule "r": name: rules[0] already has this name');
  });

  it("refuses past the limits, saying which", () => {
    const many = Array.from({ length: MAX_RULES + 1 }, (_, i) => ({ name: `r${i}`, pattern: `t${i}/{d}` }));
    expect(errorsOf({ rules: many })).toEqual([`rules: must list at most ${MAX_RULES} rules (MAX_RULES)`]);
    const fields = Array.from({ length: MAX_FIELDS_PER_RULE + 1 }, (_, i) => ({ path: `$.f${i}`, name: `f${i}` }));
    expect(errorsOf(rulesOf({ name: "big", pattern: "t/{d}", fields }))).toEqual([`rule "big": fields: at most ${MAX_FIELDS_PER_RULE} fields per rule (MAX_FIELDS_PER_RULE)`]);
    expect(errorsOf({ rules: "nope" })).toEqual(["rules: Invalid input: expected array, received string"]);
    expect(errorsOf(rulesOf({ name: "p", pattern: "t/{d}", fields: [{ path: "$", name: "__proto__" }] }))).toEqual(['rule "p": fields[0].name: must not be __proto__']);
  });
});

describe("ruleConvention: reading", () => {
  const c = ruleConvention(parsed(EXAMPLE));
  const only = (m: Inbound) => {
    const r = c.interpret(m, null);
    expect(r).not.toBeNull();
    return { r: r!, facts: r!.facts[0]! };
  };

  it("is rule:<name>, subscribes to the pattern and claims only its topics", () => {
    expect(c.id).toBe("rule:plant-lines");
    expect(c.label).toBe("Rule plant-lines");
    expect(c.filters).toEqual(["plant/+/line/+/+/#"]);
    expect(c.claims(`${DEVICE_TOPIC}/telemetry`, null)).toBe(true);
    expect(c.claims(DEVICE_TOPIC, null)).toBe(true);
    expect(c.claims("plant/berlin/line/3", null)).toBe(false);
    expect(c.interpret(msg("plant/berlin/line/3", "{}"), null)).toBeNull();
  });

  it("makes the device from the captures: id from all of them, name and group from templates", () => {
    const { r, facts } = only(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":41.5}'));
    expect(r.device).toBe("rule-plant-lines.berlin.3.press-7");
    expect(facts).toMatchObject({ id: "rule-plant-lines.berlin.3.press-7", convention: "rule:plant-lines", name: "press-7", group: "berlin", seen: true });
  });

  it("takes numbers, numeric strings and booleans at their paths, with units", () => {
    const { r, facts } = only(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":"41.5","motor":{"current":3.25},"running":true,"seq":12}'));
    expect(facts.measurements).toEqual({
      temp: { value: 41.5, unit: "°C", topic: `${DEVICE_TOPIC}/telemetry` },
      current: { value: 3.25, unit: "A", topic: `${DEVICE_TOPIC}/telemetry` },
      running: { value: 1, topic: `${DEVICE_TOPIC}/telemetry` },
    });
    expect(r.problem).toBeUndefined();
    expect(r.seq).toEqual({ value: 12, stream: "rule-plant-lines.berlin.3.press-7" });
  });

  it("reads a plain-number payload at $, and only the fields of the message's own sub-topic", () => {
    const { facts } = only(msg(`${DEVICE_TOPIC}/power`, " 230.5 "));
    expect(facts.measurements).toEqual({ power: { value: 230.5, unit: "W", topic: `${DEVICE_TOPIC}/power` } });
  });

  it("says a problem only when nothing of the message could be read", () => {
    const partial = only(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":40}'));
    expect(partial.r.problem).toBeUndefined();
    const none = only(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":"hot"}'));
    expect(none.r.problem).toBe('rule plant-lines: fields[0] "temp": $.temp is "hot", not a number');
    expect(none.facts.measurements).toBeUndefined();
    expect(only(msg(`${DEVICE_TOPIC}/telemetry`, null)).r.problem).toBe("rule plant-lines: the payload is too large to read");
    // A topic under the device that no part reads: the device spoke, nothing to read, no problem.
    const other = only(msg(`${DEVICE_TOPIC}/debug/x`, "hello"));
    expect(other.r.problem).toBeUndefined();
    expect(other.facts.seen).toBe(true);
  });

  it("maps status words, without case, to liveness with a reason", () => {
    expect(only(msg(`${DEVICE_TOPIC}/status`, "OFFLINE")).facts.liveness).toEqual({ status: "offline", reason: 'rule plant-lines: status "OFFLINE"', since: 1000 });
    expect(only(msg(`${DEVICE_TOPIC}/status`, "1")).facts.liveness?.status).toBe("online");
    const retained = only(msg(`${DEVICE_TOPIC}/status`, "online", { retain: true })).facts;
    expect(retained.seen).toBe(false);
    expect(retained.liveness?.reason).toBe('rule plant-lines: status "online" (retained)');
    const odd = only(msg(`${DEVICE_TOPIC}/status`, "sleeping"));
    expect(odd.facts.liveness).toBeUndefined();
    expect(odd.r.problem).toBe('rule plant-lines: status: "sleeping" is neither an online nor an offline value');
  });

  it("reads a status at a path", () => {
    const c2 = ruleConvention(parsed({ name: "p", pattern: "d/{device}", status: { path: "$.state", online: ["up"], offline: ["down"] } }));
    expect(c2.interpret(msg("d/x", '{"state":"down"}'), null)?.facts[0]?.liveness?.status).toBe("offline");
    expect(c2.interpret(msg("d/x", '{"other":1}'), null)?.problem).toBe("rule p: status: $.state is missing");
  });

  it("makes events with the level and text at their paths, defaulting both", () => {
    expect(only(msg(`${DEVICE_TOPIC}/alarm`, '{"level":"critical","msg":"motor overheat"}')).facts.events).toEqual([{ kind: "alarm", level: "critical", text: "motor overheat" }]);
    const c2 = ruleConvention(parsed({ name: "l", pattern: "d/{device}/#", events: [{ topic: "log", kind: "log" }] }));
    expect(c2.interpret(msg("d/x/log", "  booted  "), null)?.facts[0]?.events).toEqual([{ kind: "log", level: "info", text: "booted" }]);
    expect(c2.interpret(msg("d/x/log", ""), null)?.facts[0]?.events).toBeUndefined();
  });

  it("lists the device's commands with its own topics, and does not count our requests as the device speaking", () => {
    const { facts } = only(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":1}'));
    expect(facts.commands?.map((k) => [k.name, k.topic, k.confirm])).toEqual([
      ["reset", `${DEVICE_TOPIC}/cmd/reset`, "reply"],
      ["speed", `${DEVICE_TOPIC}/cmd/speed`, "echo"],
    ]);
    expect(c.interpret(msg(`${DEVICE_TOPIC}/cmd/reset`, '{"id":"1","args":{}}'), null)).toEqual({ device: "rule-plant-lines.berlin.3.press-7", facts: [] });
  });
});

describe("device ids", () => {
  it("stay injective for values a naive join would confuse, by default and with a template", () => {
    const byDefault = ruleConvention(parsed({ name: "r", pattern: "x/{a}/{b}" }));
    const templated = ruleConvention(parsed({ name: "r", pattern: "x/{a}/{b}", id: "{a}-{b}" }));
    for (const c of [byDefault, templated]) {
      const one = c.interpret(msg("x/a-b/c", ""), null)?.device;
      const two = c.interpret(msg("x/a/b-c", ""), null)?.device;
      expect(one).toBeTruthy();
      expect(one).not.toBe(two);
      expect(one).toMatch(/^[A-Za-z0-9_.~-]+$/);
    }
    expect(templated.interpret(msg("x/a-b/c", ""), null)?.device).toBe("rule-r.a~2db-c");
    expect(byDefault.interpret(msg("x/a.b/c", ""), null)?.device).not.toBe(byDefault.interpret(msg("x/a/b.c", ""), null)?.device);
  });

  it("leave out the wildcards the id template does not use: those do not tell devices apart", () => {
    const c = ruleConvention(parsed({ name: "r", pattern: "x/{site}/{device}", id: "{device}" }));
    expect(c.interpret(msg("x/s1/d", ""), null)?.device).toBe("rule-r.d");
    expect(c.interpret(msg("x/s2/d", ""), null)?.device).toBe("rule-r.d");
  });
});

describe("ruleConvention: commands", () => {
  const c = ruleConvention(parsed(EXAMPLE));
  const facts = c.interpret(msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":1}'), null)!.facts[0]!;
  const command = (name: string): CommandFact => facts.commands!.find((k) => k.name === name)!;

  it("sends {id, args} by default and expects a reply on the confirm topic", () => {
    const { request, expect: want } = c.encodeCommand!(facts, command("reset"), {}, "c-1", null);
    expect(request).toEqual({ topic: `${DEVICE_TOPIC}/cmd/reset`, payload: '{"id":"c-1","args":{}}', qos: 1, retain: false });
    expect(want).toEqual({ kind: "reply", topic: `${DEVICE_TOPIC}/cmd/reset/ack`, replyId: "c-1" });
  });

  it("fills a payload template and expects the argument echoed", () => {
    const { request, expect: want } = c.encodeCommand!(facts, command("speed"), { rpm: 1200 }, "c-2", null);
    expect(request.payload).toBe("SPEED 1200 #c-2");
    expect(want).toEqual({ kind: "echo", topic: `${DEVICE_TOPIC}/telemetry`, path: ["motor", "rpm"], value: 1200 });
    expect(c.confirms!(want, msg(`${DEVICE_TOPIC}/telemetry`, '{"motor":{"rpm":900}}'), null)).toBeNull();
    expect(c.confirms!(want, msg(`${DEVICE_TOPIC}/telemetry`, '{"motor":{"rpm":"1200"}}'), null)).toEqual({ ok: true });
  });

  it("throws on bad arguments, and on a topic that is not this device's", () => {
    expect(() => c.encodeCommand!(facts, command("speed"), { rpm: 9000 }, "c", null)).toThrow(/args\.rpm: must be a whole number in 0\.\.3000/);
    expect(() => c.encodeCommand!(facts, command("speed"), {}, "c", null)).toThrow(/args\.rpm: is required/);
    const other: DeviceFacts = { ...facts, id: facts.id };
    expect(() => c.encodeCommand!(other, { ...command("reset"), topic: "plant/hamburg/line/1/p1/cmd/reset" }, {}, "c", null)).toThrow(/is not where/);
    expect(() => c.encodeCommand!(facts, { ...command("reset"), topic: `${DEVICE_TOPIC}/status` }, {}, "c", null)).toThrow(/is not where/);
    expect(() => c.encodeCommand!(facts, { ...command("reset"), name: "launch" }, {}, "c", null)).toThrow(/has no command "launch"/);
  });

  it("settles replies: ok, failed, someone else's, none yet", () => {
    const want = { kind: "reply" as const, topic: `${DEVICE_TOPIC}/cmd/reset/ack`, replyId: "c-1" };
    const reply = (text: string, topic = want.topic) => c.confirms!(want, msg(topic, text), null);
    expect(reply('{"id":"c-1","ok":true,"result":{"took":3}}')).toEqual({ ok: true, result: { took: 3 } });
    expect(reply('{"id":"c-1","ok":false,"error":"jammed"}')).toEqual({ ok: false, error: "jammed" });
    expect(reply('{"ok":"error"}')).toEqual({ ok: false, error: "the device said it failed" });
    expect(reply('{"error":"busy"}')).toEqual({ ok: false, error: "busy" });
    expect(reply('{"id":"c-9","ok":true}')).toBeNull();
    expect(reply("done")).toEqual({ ok: true, result: "done" });
    expect(reply('{"id":"c-1","ok":true}', `${DEVICE_TOPIC}/telemetry`)).toBeNull();
  });
});

describe("deviceAccess", () => {
  const c = ruleConvention(parsed(EXAMPLE));

  it("grants the device's own read topics and command topics, with its id values filled in", () => {
    expect(c.deviceAccess!("berlin/3/press-7")).toEqual({
      publish: [`${DEVICE_TOPIC}/telemetry`, `${DEVICE_TOPIC}/power`, `${DEVICE_TOPIC}/status`, `${DEVICE_TOPIC}/alarm`, `${DEVICE_TOPIC}/cmd/reset/ack`],
      subscribe: [`${DEVICE_TOPIC}/cmd/reset`, `${DEVICE_TOPIC}/cmd/speed`],
    });
  });

  it("fills unused wildcards with +, and grants nothing for a name that is not one device's", () => {
    const one = ruleConvention(parsed({ name: "r", pattern: "x/{site}/{device}/#", id: "{device}", fields: [{ topic: "t", path: "$", name: "v" }] }));
    expect(one.deviceAccess!("d1")).toEqual({ publish: ["x/+/d1/t"], subscribe: [] });
    const none = { publish: [], subscribe: [] };
    expect(one.deviceAccess!("#")).toEqual(none);
    expect(one.deviceAccess!("+")).toEqual(none);
    expect(one.deviceAccess!("a/b")).toEqual(none);
    expect(c.deviceAccess!("berlin/3")).toEqual(none);
    expect(c.deviceAccess!("berlin/#/x")).toEqual(none);
  });
});

describe("previewRule", () => {
  it("counts devices, unmatched messages and problems, with latest values", () => {
    const rule = parsed(EXAMPLE);
    const preview = previewRule(rule, [
      msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":40,"motor":{"current":2}}'),
      msg(`${DEVICE_TOPIC}/telemetry`, '{"temp":41}'),
      msg("plant/berlin/line/4/press-8/telemetry", '{"temp":"n/a"}'),
      msg("plant/berlin/line/4/press-8/telemetry", '{"temp":"n/a"}'),
      msg("plant/berlin/line/4/press-8/status", "online"),
      msg("fleet/a/b/telemetry", "{}"),
      msg("plant/x", "{}"),
    ]);
    expect(preview.unmatched).toBe(2);
    expect(preview.devices).toEqual([
      {
        id: "rule-plant-lines.berlin.3.press-7",
        name: "press-7",
        group: "berlin",
        fields: [
          { name: "temp", value: 41, unit: "°C" },
          { name: "current", value: 2, unit: "A" },
        ],
        status: "unknown",
        messages: 2,
      },
      { id: "rule-plant-lines.berlin.4.press-8", name: "press-8", group: "berlin", fields: [], status: "online", messages: 3 },
    ]);
    expect(preview.problems).toContain('rule plant-lines: fields[0] "temp": $.temp is "n/a", not a number (×2)');
    expect(preview.problems).toContain('rule plant-lines: fields[1] "current": $.motor.current is missing (×3)');
  });

  it("says an invalid rule's errors instead of devices", () => {
    const preview = previewRule({ name: "bad", pattern: "a/+/#" }, [msg("a/b", "1")]);
    expect(preview).toEqual({ devices: [], unmatched: 1, problems: ['rule "bad": pattern: needs at least one named wildcard, such as {device}, to tell devices apart'] });
  });
});

describe("suggestRule", () => {
  const topic = "plant/berlin/line/3/press-7/telemetry";
  const payload = '{"seq":17,"temp":41.5,"motor":{"current":3.2,"rpm":1450},"state":"run","odd key":1,"phases":[230,231]}';

  it("makes the second-to-last level the device and a field of every number", () => {
    const rule = suggestRule(topic, payload);
    expect(rule).toEqual({
      name: "plant",
      pattern: "plant/berlin/line/3/{device}/#",
      seq_path: "$.seq",
      fields: [
        { topic: "telemetry", path: "$.temp", name: "temp" },
        { topic: "telemetry", path: "$.motor.current", name: "motor.current" },
        { topic: "telemetry", path: "$.motor.rpm", name: "motor.rpm" },
        { topic: "telemetry", path: "$['odd key']", name: "odd_key" },
        { topic: "telemetry", path: "$.phases[0]", name: "phases.0" },
        { topic: "telemetry", path: "$.phases[1]", name: "phases.1" },
      ],
    });
    expect(parseRules({ rules: [rule] }).ok).toBe(true);
    const preview = previewRule(rule, [msg(topic, payload), msg("plant/berlin/line/3/press-9/telemetry", '{"temp":1}')]);
    expect(preview.devices.map((d) => d.id)).toEqual(["rule-plant.press-7", "rule-plant.press-9"]);
    expect(preview.devices[0]!.fields.find((f) => f.name === "motor.rpm")?.value).toBe(1450);
  });

  it("turns the levels that vary among siblings into named wildcards", () => {
    const rule = suggestRule(topic, payload, ["plant/hamburg/line/1/press-2/telemetry", "plant/berlin/line/3/press-8/telemetry", "other/topic"]);
    expect(rule.pattern).toBe("plant/{plant}/line/{line}/{device}/#");
    expect(compileRule(rule).ok).toBe(true);
  });

  it("suggests a field at $ for a plain number and a status for online/offline", () => {
    expect(suggestRule("home/boiler/temp", "21.5")).toEqual({ name: "home", pattern: "home/{device}/#", fields: [{ topic: "temp", path: "$", name: "temp" }] });
    expect(suggestRule("home/boiler/state", "Online").status).toEqual({ topic: "state", online: ["online"], offline: ["offline"] });
    expect(suggestRule("sensor42", "{}")).toEqual({ name: "sensor42", pattern: "{device}" });
  });
});
