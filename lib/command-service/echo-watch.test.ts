import { describe, expect, it } from "vitest";
import { sampleCommand } from "../../test/helpers/commands";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { EchoWatch, echoInput, echoTopicOf } from "./echo-watch";

const conventions = new Interpreter(BUILT_IN_CONVENTIONS);
const msg = (topic: string, payload: string) => ({ topic, payload: Buffer.from(payload), retain: false, qos: 1 as const });

describe("echo watching", () => {
  it("a topic is subscribed to for its first waiting command and unsubscribed from after its last", () => {
    const watch = new EchoWatch();
    expect(watch.add("fleet/lab/a/status", "c1")).toBe(true);
    expect(watch.add("fleet/lab/a/status", "c2")).toBe(false);
    expect([...watch.topics()]).toEqual(["fleet/lab/a/status"]);
    expect(watch.remove("fleet/lab/a/status", "c1")).toBe(false);
    expect([...watch.waiting("fleet/lab/a/status")]).toEqual(["c2"]);
    expect(watch.remove("fleet/lab/a/status", "c2")).toBe(true);
    expect([...watch.topics()]).toEqual([]);
    expect(watch.remove("fleet/lab/a/status", "c2")).toBe(false);
  });

  it("a status echo waits on the device's status topic and confirms on the state it names, in any case", () => {
    const reboot = sampleCommand({ name: "reboot", args: {}, confirm: { kind: "echo", stream: "status", equals: "online" } });
    const topic = echoTopicOf(reboot)!;
    expect(topic).toBe("fleet/plant-a/arm-01/status");
    expect(echoInput(reboot, msg(topic, "offline"), conventions, 5)).toBeNull();
    expect(echoInput(reboot, msg(topic, " ONLINE "), conventions, 5)).toEqual({ type: "echo", at: 5, note: "status online" });
  });

  it("a telemetry echo confirms once the field equals the argument", () => {
    const speed = sampleCommand({ name: "set_speed", args: { percent: 37 }, confirm: { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent" } });
    const topic = echoTopicOf(speed)!;
    expect(topic).toBe("fleet/plant-a/arm-01/telemetry");
    expect(echoInput(speed, msg(topic, JSON.stringify({ speed: 20 })), conventions, 7)).toBeNull();
    expect(echoInput(speed, msg(topic, "not json"), conventions, 7)).toBeNull();
    expect(echoInput(speed, msg(topic, JSON.stringify({ speed: 37 })), conventions, 7)).toEqual({ type: "echo", at: 7, note: "speed = 37" });
  });

  it("a command confirmed by its reply waits on no echo topic", () => {
    const cmd = sampleCommand();
    expect(echoTopicOf(cmd)).toBeNull();
    expect(echoInput(cmd, msg("fleet/plant-a/arm-01/status", "online"), conventions, 1)).toBeNull();
  });
});
