import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { Observation } from "../alerts/observation";
import { asDeviceId } from "../devices/model";
import { AlertFeeds } from "./feeds";

describe("the alert feeds", () => {
  it("turn stuck flows and PUBLISHes resent with DUP into flow observations of the topic's device, only while attached", () => {
    const seen: Observation[] = [];
    const feeds = new AlertFeeds((o) => seen.push(o), () => 42);
    const hub = new EventEmitter();
    feeds.addFlows(hub, (topic) => (topic.startsWith("fleet/lab/arm-01/") ? asDeviceId("arm-01") : null));
    hub.emit("retransmitted", { topic: "fleet/lab/arm-01/telemetry" });
    expect(seen).toEqual([]);
    feeds.attach();
    hub.emit("retransmitted", { topic: "fleet/lab/arm-01/telemetry" });
    hub.emit("stuck", { topic: "fleet/lab/arm-01/log" });
    hub.emit("retransmitted", { topic: "elsewhere" });
    hub.emit("retransmitted", { topic: null });
    expect(seen).toEqual([
      { type: "flow", device: { id: "arm-01" }, t: 42, topic: "fleet/lab/arm-01/telemetry", outcome: "retransmitted" },
      { type: "flow", device: { id: "arm-01" }, t: 42, topic: "fleet/lab/arm-01/log", outcome: "stuck" },
    ]);
    feeds.detach();
    hub.emit("retransmitted", { topic: "fleet/lab/arm-01/telemetry" });
    expect(seen).toHaveLength(2);
    expect(hub.listenerCount("retransmitted") + hub.listenerCount("stuck")).toBe(0);
  });
});
