import { describe, expect, it } from "vitest";
import { decidePublish, decideSubscribe, type Principal } from "./access-rules";

const viewer: Principal = { kind: "browser", username: "v", role: "viewer" };
const operator: Principal = { kind: "browser", username: "o", role: "operator" };
const device: Principal = { kind: "device", id: "arm-01" };
const anonymous: Principal = { kind: "anonymous" };
const service: Principal = { kind: "service", name: "fleetscope-service" };
const lab: Principal = { kind: "lab" };
const ok = (d: { ok: boolean }) => d.ok;

describe("publish rules", () => {
  it("a viewer's browser never publishes", () => {
    expect(ok(decidePublish(viewer, "lab/note"))).toBe(false);
    expect(ok(decidePublish(viewer, "fleet/plant-a/arm-01/cmd/stop"))).toBe(false);
  });

  it("an operator's browser publishes, but not to command topics", () => {
    expect(ok(decidePublish(operator, "lab/note"))).toBe(true);
    expect(ok(decidePublish(operator, "fleet/plant-a/arm-01/telemetry"))).toBe(true);
    expect(ok(decidePublish(operator, "fleet/plant-a/arm-01/cmd/stop"))).toBe(false);
    expect(ok(decidePublish(operator, "fleet/plant-a/arm-01/cmd/stop/reply"))).toBe(false);
  });

  it("a device publishes only under its own subtree, and never a command request", () => {
    expect(ok(decidePublish(device, "fleet/plant-a/arm-01/telemetry"))).toBe(true);
    expect(ok(decidePublish(device, "fleet/other-site/arm-01/status"))).toBe(true);
    expect(ok(decidePublish(device, "fleet/plant-a/arm-01/cmd/stop/reply"))).toBe(true);
    expect(ok(decidePublish(device, "fleet/plant-a/arm-01/cmd/stop"))).toBe(false);
    expect(ok(decidePublish(device, "fleet/plant-a/arm-02/telemetry"))).toBe(false);
    expect(ok(decidePublish(device, "fleet/plant-a/arm-01"))).toBe(false);
    expect(ok(decidePublish(device, "elsewhere/arm-01/telemetry"))).toBe(false);
    expect(ok(decidePublish(device, "fleet/plant-a/arm-010/telemetry"))).toBe(false);
  });

  it("an anonymous client publishes anything but command requests", () => {
    expect(ok(decidePublish(anonymous, "fleet/lab/arm-99/telemetry"))).toBe(true);
    expect(ok(decidePublish(anonymous, "fleet/lab/arm-99/cmd/stop"))).toBe(false);
  });

  it("with auth off, a client without credentials publishes anything, commands too", () => {
    expect(ok(decidePublish(lab, "fleet/plant-a/arm-01/cmd/stop"))).toBe(true);
    expect(ok(decideSubscribe(lab, "#"))).toBe(true);
  });

  it("nobody publishes under $SYS, not even the service", () => {
    for (const p of [service, operator, device, anonymous, lab]) expect(ok(decidePublish(p, "$SYS/broker/x"))).toBe(false);
    expect(ok(decidePublish(service, "fleet/plant-a/arm-01/cmd/stop"))).toBe(true);
  });
});

describe("subscribe rules", () => {
  it("browsers subscribe to anything", () => {
    expect(ok(decideSubscribe(viewer, "#"))).toBe(true);
  });

  it("a device subscribes only within its own command topics", () => {
    expect(ok(decideSubscribe(device, "fleet/plant-a/arm-01/cmd/+"))).toBe(true);
    expect(ok(decideSubscribe(device, "fleet/+/arm-01/cmd/#"))).toBe(true);
    expect(ok(decideSubscribe(device, "fleet/+/+/cmd/#"))).toBe(false);
    expect(ok(decideSubscribe(device, "fleet/plant-a/arm-02/cmd/+"))).toBe(false);
    expect(ok(decideSubscribe(device, "fleet/#"))).toBe(false);
    expect(ok(decideSubscribe(device, "fleet/plant-a/arm-01/+"))).toBe(false);
    expect(ok(decideSubscribe(device, "#"))).toBe(false);
  });

  it("an anonymous client subscribes only to command topics", () => {
    expect(ok(decideSubscribe(anonymous, "fleet/lab/arm-99/cmd/+"))).toBe(true);
    expect(ok(decideSubscribe(anonymous, "fleet/+/+/telemetry"))).toBe(false);
    expect(ok(decideSubscribe(anonymous, "fleet/#"))).toBe(false);
  });
});

describe("a device of another convention", () => {
  const plug: Principal = {
    kind: "device",
    id: "plug-1",
    convention: "tasmota",
    access: { publish: ["tele/plug-1/#", "stat/plug-1/#"], subscribe: ["cmnd/plug-1/#"] },
  };
  it("publishes and subscribes only within what its convention gives its name", () => {
    expect(ok(decidePublish(plug, "tele/plug-1/SENSOR"))).toBe(true);
    expect(ok(decidePublish(plug, "stat/plug-1/RESULT"))).toBe(true);
    expect(ok(decidePublish(plug, "tele/plug-2/SENSOR"))).toBe(false);
    expect(ok(decidePublish(plug, "cmnd/plug-1/Power"))).toBe(false);
    expect(ok(decidePublish(plug, "fleet/lab/plug-1/telemetry"))).toBe(false);
    expect(ok(decideSubscribe(plug, "cmnd/plug-1/#"))).toBe(true);
    expect(ok(decideSubscribe(plug, "cmnd/plug-1/Power"))).toBe(true);
    expect(ok(decideSubscribe(plug, "cmnd/+/Power"))).toBe(false);
    expect(ok(decideSubscribe(plug, "#"))).toBe(false);
  });

  it("is refused everything when its convention names no topics", () => {
    const none: Principal = { kind: "device", id: "x", convention: "homie", access: { publish: [], subscribe: [] } };
    expect(ok(decidePublish(none, "homie/x/$state"))).toBe(false);
    expect(ok(decideSubscribe(none, "homie/x/#"))).toBe(false);
  });
});
