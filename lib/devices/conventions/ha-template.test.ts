import { describe, expect, it } from "vitest";
import { compileTemplate, MAX_TEMPLATE_LENGTH, pyRound, pyStr, templateInput, type RenderResult } from "./ha-template";
import { Z2M_EVENT_TEMPLATE } from "./fixtures/homeassistant/configs";

function render(src: string, payload: string): RenderResult {
  const c = compileTemplate(src);
  if (!c.ok) throw new Error(c.problem);
  return c.template.render(templateInput(payload));
}

const value = (src: string, payload: string) => {
  const r = render(src, payload);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe("compileTemplate: the subset discovery configs use", () => {
  it("reads value_json by dots and brackets, as Zigbee2MQTT's and Tasmota's configs write them", () => {
    expect(value("{{ value_json.temperature }}", '{"temperature":20.74,"humidity":44.43}')).toBe(20.74);
    expect(value("{{value_json['ENERGY']['TotalStartTime']}}", '{"ENERGY":{"TotalStartTime":"2021-03-01T10:00:00"}}')).toBe("2021-03-01T10:00:00");
    expect(value("{{ value_json.a.b }}", '{"a":{"b":3}}')).toBe(3);
    expect(value('{{ value_json["list"][1] }}', '{"list":[5,6]}')).toBe(6);
    expect(value("{{- value_json.temperature -}}", '{"temperature":1}')).toBe(1);
  });

  it("gives value as the payload text, and value_json only when the payload is JSON", () => {
    expect(value("{{ value }}", "21.5")).toBe("21.5");
    expect(value("{{ value }}", "not json")).toBe("not json");
    const r = render("{{ value_json.state }}", "online");
    expect(r).toEqual({ ok: false, error: expect.stringContaining("not JSON") });
    expect(value("{{ value_json }}", "42")).toBe(42);
  });

  it("applies float, int and round with Home Assistant's semantics", () => {
    expect(value("{{ value | float }}", " 21.5 ")).toBe(21.5);
    expect(render("{{ value | float }}", "abc").ok).toBe(false);
    expect(value("{{ value | float(0) }}", "abc")).toBe(0);
    expect(value("{{ value | float(default=-1) }}", "abc")).toBe(-1);
    expect(value("{{ value | int }}", "21.7")).toBe(21);
    expect(value("{{ value | int }}", "-21.7")).toBe(-21);
    expect(value("{{ value_json.on | int }}", '{"on":true}')).toBe(1);
    expect(value("{{ value_json.t | round(1) }}", '{"t":21.56}')).toBe(21.6);
    // round reads through float(), so a numeric string rounds too.
    expect(value("{{ value | round(1) }}", "21.56")).toBe(21.6);
    expect(value("{{ value | float | round }}", "2.5")).toBe(2);
    expect(value("{{ value | round(0, 'ceil') }}", "2.1")).toBe(3);
  });

  it("rounds as Python does: ties to even on the double's exact value", () => {
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(3.5, 0)).toBe(4);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(2.675, 2)).toBe(2.67); // 2.675 is 2.67499999… as a double
    expect(pyRound(-1.5, 0)).toBe(-2);
    expect(pyRound(9.995, 2)).toBe(9.99);
    expect(pyRound(99.96, 1)).toBe(100);
  });

  it("treats a missing key as Jinja's Undefined: an error, unless a default catches it", () => {
    expect(render("{{ value_json.missing }}", "{}").ok).toBe(false);
    expect(render("{{ value_json.missing.deeper | float(0) }}", "{}").ok).toBe(false);
    expect(value("{{ value_json.missing | float(0) }}", "{}")).toBe(0);
    expect(value("{{ value_json.missing | default(5) }}", "{}")).toBe(5);
  });

  it("refuses, without running it, anything outside the subset", () => {
    const refused = [
      "{{ ''.__class__ }}",
      "{{ ''.__class__.__mro__[1].__subclasses__() }}",
      "{% if value_json.x %}1{% endif %}",
      "{{ value_json.x() }}",
      "{{ value_json.keys() }}",
      "{{ value_json.x * 2 }}",
      "{{ value_json.__class__ }}",
      "{{ value_json._private }}",
      "{{ value | unpack('b') }}", // home-assistant/core test_discovery.py
      "{{ value_json.x }} °C",
      "{{ range(10) }}",
      "{{ states('sensor.x') }}",
      "{{ value_json.x }}{{ value_json.y }}",
      "{{ value | int(0, 16) }}",
      "{{ value | round(1, 'wobbly') }}",
      "plain text",
      Z2M_EVENT_TEMPLATE, // Zigbee2MQTT's event entities: a whole Jinja program
    ];
    for (const t of refused) {
      const c = compileTemplate(t);
      expect(c.ok, t).toBe(false);
      if (!c.ok) expect(c.problem).toMatch(/^template (not supported|longer)/);
    }
  });

  it("refuses a 1 MB template by its size before reading it", () => {
    const huge = `{{ value_json.${"a".repeat(1024 * 1024)} }}`;
    const c = compileTemplate(huge);
    expect(c).toEqual({ ok: false, problem: `template longer than ${MAX_TEMPLATE_LENGTH} characters` });
  });

  it("renders values as Python's str() for payload comparisons", () => {
    expect(pyStr(true)).toBe("True");
    expect(pyStr(false)).toBe("False");
    expect(pyStr(null)).toBe("None");
    expect(pyStr(21.5)).toBe("21.5");
    expect(pyStr("ON")).toBe("ON");
  });
});
