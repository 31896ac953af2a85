import { describe, expect, it } from "vitest";
import { qosWarnings } from "./qos-guidance";

describe("qosWarnings", () => {
  it("warns of a command at QoS 0, an alarm at QoS 2 and a log at QoS 0, once each", () => {
    const w = qosWarnings([
      { topic: "fleet/a/arm-01/cmd/stop", qos: 0 },
      { topic: "fleet/a/arm-01/cmd/stop", qos: 0 },
      { topic: "fleet/a/arm-01/alarm", qos: 2 },
      { topic: "fleet/a/arm-01/log", qos: 0 },
    ]);
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/command sent at QoS 0/);
    expect(w[1]).toMatch(/alarms at QoS 2/);
    expect(w[2]).toMatch(/logs at QoS 0/);
  });

  it("stays quiet when the convention is followed", () => {
    expect(
      qosWarnings([
        { topic: "fleet/a/arm-01/cmd/stop", qos: 2 },
        { topic: "fleet/a/arm-01/cmd/stop/reply", qos: 0 },
        { topic: "fleet/a/arm-01/alarm", qos: 0 },
        { topic: "fleet/a/arm-01/log", qos: 1 },
        { topic: "fleet/a/arm-01/telemetry", qos: 0 },
      ]),
    ).toEqual([]);
  });
});
