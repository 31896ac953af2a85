import { describe, expect, it } from "vitest";
import { demo } from "../devices/conventions/demo";
import type { Interpretation } from "../devices/convention";
import { asDeviceId, asEpochMs } from "../devices/model";
import { AlertEvaluator } from "./evaluator";
import { observationsOf } from "./observation";
import { alertRuleSchema } from "./rule";

const inbound = (topic: string, text: string, ts: number, retain = false) => ({ topic, payload: new TextEncoder().encode(text), text, retain, qos: 0 as const, ts: asEpochMs(ts) });
/** The bridge's hook: each message the convention read becomes observations, at its receive time. */
function read(topic: string, text: string, ts: number, retain = false) {
  const i = demo.interpret(inbound(topic, text, ts, retain), null);
  return i ? observationsOf(topic, i, ts) : [];
}

describe("observationsOf", () => {
  it("makes one message observation per device from the demo fleet's telemetry, with its values and seq", () => {
    const obs = read("fleet/lab/arm-01/telemetry", '{"seq":7,"temp":41.5,"motor":{"current":1.2}}', 1000);
    expect(obs).toEqual([
      { type: "message", device: { id: "arm-01", group: "lab", convention: "demo" }, t: 1000, topic: "fleet/lab/arm-01/telemetry", values: { temp: 41.5, "motor.current": 1.2 }, seq: { value: 7, stream: "fleet/lab/arm-01/telemetry", modulo: undefined, restart: undefined } },
    ]);
  });

  it("makes a liveness observation from a status message, with the convention's reason", () => {
    const obs = read("fleet/lab/arm-01/status", "offline", 2000);
    expect(obs[0]).toMatchObject({ type: "liveness", device: { id: "arm-01" }, status: "offline", t: 2000 });
    expect(typeof (obs[0] as { reason: string }).reason).toBe("string");
  });

  it("makes no message observation of a fact that does not say the device spoke now", () => {
    const i: Interpretation = { device: asDeviceId("x"), facts: [{ id: asDeviceId("x"), convention: "homie", name: "x", group: "g", seen: false, measurements: { t: { value: 1, topic: "homie/x/t" } } }] };
    expect(observationsOf("homie/x/$state", i, 0)).toEqual([]);
  });
});

describe("the bridge hook, end to end with the demo convention", () => {
  it("takes an arm from firing to firing, no data on its LWT, and back when it reports cool again", () => {
    const rule = alertRuleSchema.parse({ id: "hot", name: "Hot motor", severity: "major", kind: "threshold", field: "temp", op: "above", value: 30, clear: 28, forMs: "10s", group: "lab" });
    const ev = new AlertEvaluator([rule]);
    const feed = (topic: string, text: string, ts: number) => read(topic, text, ts).flatMap((o) => ev.observe(o));
    expect(feed("fleet/lab/arm-01/telemetry", '{"seq":1,"temp":31}', 0)).toMatchObject([{ to: "pending" }]);
    expect(ev.tick(10_000)).toMatchObject([{ to: "firing" }]);
    expect(feed("fleet/lab/arm-01/status", "offline", 12_000)).toMatchObject([{ to: "firing_no_data" }]);
    feed("fleet/lab/arm-01/status", "online", 20_000);
    expect(feed("fleet/lab/arm-01/telemetry", '{"seq":2,"temp":29}', 21_000)).toMatchObject([{ from: "firing_no_data", to: "firing" }]);
    expect(feed("fleet/lab/arm-01/telemetry", '{"seq":3,"temp":27}', 22_000)).toMatchObject([{ to: "resolved" }]);
    // Another site's arm is not the rule's.
    expect(feed("fleet/plant/arm-09/telemetry", '{"seq":1,"temp":99}', 23_000)).toEqual([]);
  });
});
