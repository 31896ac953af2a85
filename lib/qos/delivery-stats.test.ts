import { describe, expect, it } from "vitest";
import { arrowOf, deliveryFigures, messagePath, percentile } from "./delivery-stats";
import type { TraceEvent } from "../mqtt/packet";

let seq = 0;
const ev = (over: Partial<TraceEvent>): TraceEvent => ({ seq: ++seq, t: seq, hop: "arm-01", from: "client", type: "publish", qos: 1, dup: false, retain: false, remainingLength: 10, header: "32", sampled: 1, ...over });
const flow = (key: string, state: "in_flight" | "complete" | "stuck", latencyMs: number | null = null, retransmissions = 0) => ({ key, state, latencyMs, retransmissions, anomalies: [] });

describe("deliveryFigures", () => {
  it("counts each flow once by its latest state, per QoS, with latency percentiles", () => {
    const events = [
      ev({ qos: 1, flow: flow("a", "in_flight") }),
      ev({ qos: 1, type: "puback", from: "server", flow: flow("a", "complete", 4) }),
      ev({ qos: 1, flow: flow("b", "in_flight") }),
      ev({ qos: 1, flow: flow("c", "stuck", null, 2) }),
      ev({ qos: 2, flow: flow("d", "in_flight") }),
      ev({ qos: 2, type: "pubcomp", from: "server", flow: flow("d", "complete", 9) }),
      ev({ qos: 0, flow: flow("e", "complete", 0) }),
      ev({ type: "pingreq" }),
    ];
    const f = deliveryFigures(events);
    expect(f["1"]).toEqual({ delivered: 1, inFlight: 1, stuck: 1, retransmitted: 2, p50: 4, p95: 4, p99: 4 });
    expect(f["2"]).toMatchObject({ delivered: 1, inFlight: 0, p50: 9 });
    expect(f["0"]).toMatchObject({ delivered: 1 });
  });

  it("takes the newest state even when packets arrive out of order", () => {
    const done = ev({ flow: flow("x", "complete", 3) });
    const earlier = { ...ev({ flow: flow("x", "in_flight") }), seq: done.seq - 100 };
    expect(deliveryFigures([done, earlier])["1"]).toMatchObject({ delivered: 1, inFlight: 0 });
  });
});

describe("percentile", () => {
  it("reads the nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBeNull();
  });
});

describe("sequence diagram lanes and message paths", () => {
  it("draws device, bridge and browser hops against the broker", () => {
    expect(arrowOf({ hop: "arm-01", from: "client" })).toEqual({ from: "device", to: "broker" });
    expect(arrowOf({ hop: "fleetscope-bridge", from: "server" })).toEqual({ from: "broker", to: "bridge" });
    expect(arrowOf({ hop: "fleetscope-ui-1a2b", from: "client" })).toEqual({ from: "browser", to: "broker" });
    expect(arrowOf({ hop: "this tab (fleetscope-ui-1a2b)", from: "server" })).toEqual({ from: "broker", to: "browser" });
    // A device's message to a subscriber of no kind we know (mosquitto_sub, another device): a lane of its own.
    expect(arrowOf({ hop: "mosquitto_sub-1", from: "server" }, "arm-01")).toEqual({ from: "broker", to: "subscriber" });
    expect(arrowOf({ hop: "arm-01", from: "client" }, "arm-01")).toEqual({ from: "device", to: "broker" });
    expect(arrowOf({ hop: "fleetscope-bridge", from: "server" }, "arm-01")).toEqual({ from: "broker", to: "bridge" });
    // A command from the bridge's client reaches the device in the device lane.
    expect(arrowOf({ hop: "arm-01", from: "server" }, "fleetscope-bridge-commands")).toEqual({ from: "broker", to: "device" });
  });

  it("follows one message from its sender to each subscriber, with the handshakes", () => {
    const pub = ev({ t: 100, topic: "t", payloadBytes: 5, flow: flow("up", "in_flight") });
    const events = [
      pub,
      ev({ t: 101, type: "puback", from: "server", flow: flow("up", "complete", 1) }),
      ev({ t: 102, hop: "fleetscope-bridge", from: "server", topic: "t", payloadBytes: 5, flow: flow("down", "in_flight") }),
      ev({ t: 103, hop: "fleetscope-bridge", type: "puback", from: "client", flow: flow("down", "complete", 1) }),
      ev({ t: 104, topic: "other", payloadBytes: 5, flow: flow("unrelated", "in_flight") }),
      ev({ t: 9000, topic: "t", payloadBytes: 5, flow: flow("later", "in_flight") }),
    ];
    expect(messagePath(events, pub).map((e) => e.flow!.key)).toEqual(["up", "up", "down", "down"]);
    // From a delivery, back to the PUBLISH it came from.
    expect(messagePath(events, events[2]!).map((e) => e.flow!.key)).toEqual(["up", "up", "down", "down"]);
  });

  it("takes one delivery per hop: the next message of the same size is not this one", () => {
    const pub = ev({ t: 100, topic: "t", payloadBytes: 5, flow: flow("m1", "complete", 0) });
    const events = [
      pub,
      ev({ t: 101, hop: "fleetscope-ui-1", from: "server", topic: "t", payloadBytes: 5, flow: flow("d1", "complete", 0) }),
      ev({ t: 300, topic: "t", payloadBytes: 5, flow: flow("m2", "complete", 0) }),
      ev({ t: 301, hop: "fleetscope-ui-1", from: "server", topic: "t", payloadBytes: 5, flow: flow("d2", "complete", 0) }),
    ];
    expect(messagePath(events, pub).map((e) => e.flow!.key)).toEqual(["m1", "d1"]);
  });
});
