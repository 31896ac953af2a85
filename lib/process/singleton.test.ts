import { describe, expect, it } from "vitest";
import { processSingleton, processSlot } from "./singleton";

describe("process-wide values", () => {
  it("makes a singleton once, and every caller with its name gets that one", () => {
    let made = 0;
    const make = () => ({ n: ++made });
    const a = processSingleton("test.once", make);
    expect(processSingleton("test.once", make)).toBe(a);
    expect(made).toBe(1);
    expect(processSingleton("test.other", make)).not.toBe(a);
  });

  it("keeps a value made as undefined or null without making it again", () => {
    let made = 0;
    processSingleton("test.null", () => (made++, null));
    processSingleton("test.null", () => (made++, null));
    expect(made).toBe(1);
  });

  it("shares a slot between handles of one name, as two bundled copies of a module would", () => {
    const server = processSlot<string>("test.slot");
    const route = processSlot<string>("test.slot");
    expect(route.get()).toBeNull();
    server.set("started");
    expect(route.get()).toBe("started");
    server.set(null);
    expect(route.get()).toBeNull();
  });
});
