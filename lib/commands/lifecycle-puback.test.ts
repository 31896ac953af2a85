import { describe, expect, it } from "vitest";
import { sampleCommand } from "../../test/helpers/commands";
import { applyInput, type Command, type CommandInput } from "./lifecycle";

const run = (c: Command, inputs: CommandInput[]) => inputs.reduce(applyInput, c);

describe("a QoS 2 command a broker answers with PUBACK (RabbitMQ takes QoS 2 as QoS 1)", () => {
  it("is delivered, and its record says at least once, never exactly once", () => {
    const c = run(sampleCommand({ id: "c1", confirm: { kind: "reply" } }), [
      { type: "published", at: 1010 },
      { type: "puback", at: 1020 },
      { type: "reply", at: 1100, ok: true },
    ]);
    expect(c.transitions.map((t) => t.state)).toEqual(["queued", "sent", "delivered", "succeeded"]);
    const ack = c.events.find((e) => e.type === "puback")!;
    expect(ack.effect).toBe("delivered at QoS 1 (PUBACK): the broker took the QoS 2 command as at least once, not exactly once");
    expect(c.events.map((e) => e.effect).join(" ")).not.toMatch(/PUBCOMP/);
  });

  it("that times out names the PUBACK it got, not a PUBCOMP", () => {
    const c = run(sampleCommand({ id: "c2", confirm: { kind: "reply" } }), [
      { type: "published", at: 1010 },
      { type: "puback", at: 1020 },
      { type: "timeout", at: 6000 },
    ]);
    expect(c.error).toBe("no confirmation within 5000 ms: the broker has it (PUBACK, at QoS 1), the device never replied");
  });
});
