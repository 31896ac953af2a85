import { describe, expect, it } from "vitest";
import { summarizeDelivery } from "./delivery";

describe("summarizeDelivery", () => {
  it("adds up each topic's received and lost per QoS level", () => {
    const d = summarizeDelivery(
      [
        { topic: "fleet/s/a/telemetry", qos: 0, received: 8, lost: 2 },
        { topic: "fleet/s/a/log", qos: 1, received: 3, lost: 0 },
      ],
      new Map([[1, 2]]),
    );
    expect(d).toEqual({
      received: 11,
      lost: 2,
      duplicates: 2,
      byQos: { "0": { received: 8, lost: 2, duplicates: 0 }, "1": { received: 3, lost: 0, duplicates: 2 }, "2": { received: 0, lost: 0, duplicates: 0 } },
    });
  });

  it("is all zeros for a device with nothing stored", () => {
    expect(summarizeDelivery([], new Map())).toMatchObject({ received: 0, lost: 0, duplicates: 0 });
  });
});
