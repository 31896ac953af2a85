import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { alertRuleSchema } from "./rule";
import { describeSelector, selects } from "./selector";

const rule = (extra: object) => alertRuleSchema.parse({ id: "r", name: "r", severity: "info", kind: "offline", ...extra });
const arm = { id: asDeviceId("arm-01"), group: "lab", convention: "demo" };

describe("selects", () => {
  it("selects every device when the rule names none", () => {
    expect(selects(rule({}), arm)).toBe("yes");
  });

  it("selects by device list, group and convention, all of those given", () => {
    expect(selects(rule({ devices: ["arm-01"] }), arm)).toBe("yes");
    expect(selects(rule({ devices: ["arm-02"] }), arm)).toBe("no");
    expect(selects(rule({ group: "lab", convention: "demo" }), arm)).toBe("yes");
    expect(selects(rule({ group: "lab", convention: "homie" }), arm)).toBe("no");
  });

  it("matches a topic filter as MQTT does", () => {
    const r = rule({ topic: "fleet/+/+/telemetry" });
    expect(selects(r, arm, "fleet/lab/arm-01/telemetry")).toBe("yes");
    expect(selects(r, arm, "fleet/lab/arm-01/log")).toBe("no");
    expect(selects(rule({ topic: "fleet/#" }), arm, "fleet")).toBe("yes");
    expect(selects(rule({ topic: "#" }), arm, "$SYS/broker/load")).toBe("no"); // [MQTT-4.7.2-1]
  });

  it("says unknown when the observation does not show what the rule selects on", () => {
    expect(selects(rule({ topic: "fleet/#" }), arm)).toBe("unknown");
    expect(selects(rule({ group: "lab" }), { id: arm.id })).toBe("unknown");
    // A part shown to differ is a no, whatever else is unknown.
    expect(selects(rule({ group: "lab", topic: "fleet/#" }), { id: arm.id, group: "plant" })).toBe("no");
  });
});

describe("describeSelector", () => {
  it("says the selector in words", () => {
    expect(describeSelector(rule({}))).toBe("every device");
    expect(describeSelector(rule({ devices: ["a", "b", "c", "d", "e", "f", "g"], group: "lab", topic: "fleet/#" }))).toBe("devices a, b, c, d, e and 2 more · group lab · topic fleet/#");
  });
});
