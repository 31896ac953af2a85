import { describe, expect, it } from "vitest";
import { commandQosNote, deliveredQos, grantOf, SUBACK_FAILURE } from "./granted";

describe("a SUBACK's granted QoS", () => {
  it("as asked keeps the promise of the level asked for", () => {
    expect(grantOf(2, 2)).toEqual({ asked: 2, granted: 2, downgraded: false, note: "QoS 2 as asked: exactly once on this hop" });
    expect(grantOf(1, 1).note).toBe("QoS 1 as asked: at least once (may arrive twice) on this hop");
  });

  it("lower than asked says so, and never claims exactly once", () => {
    const g = grantOf(2, 1);
    expect(g).toMatchObject({ asked: 2, granted: 1, downgraded: true });
    expect(g.note).toBe("asked for QoS 2, the broker granted QoS 1: at least once (may arrive twice) on this hop, not exactly once");
    expect(g.note).not.toMatch(/exactly once on this hop/);
    expect(grantOf(2, 0).note).toBe("asked for QoS 2, the broker granted QoS 0: at most once (may be lost) on this hop, not exactly once");
    expect(grantOf(1, 0).note).toMatch(/not at least once$/);
  });

  it("0x80 is a refusal, not a QoS", () => {
    expect(grantOf(2, SUBACK_FAILURE)).toEqual({ asked: 2, granted: null, downgraded: false, note: "asked for QoS 2; the broker refused the subscription" });
  });

  it("caps each delivery at the lower of the published and the granted QoS", () => {
    expect(deliveredQos(2, 1)).toBe(1);
    expect(deliveredQos(0, 2)).toBe(0);
    expect(deliveredQos(2, 2)).toBe(2);
  });
});

describe("the command form's QoS line", () => {
  it("claims exactly once only when the broker grants QoS 2 or nothing says otherwise", () => {
    expect(commandQosNote(2)).toBe("Sent at QoS 2 (exactly once to the broker)");
    expect(commandQosNote(null)).toBe("Sent at QoS 2 (exactly once to the broker)");
    expect(commandQosNote(1)).toBe("Sent at QoS 2, but this broker grants at most QoS 1: at least once (may arrive twice) to the device, not exactly once");
  });
});
