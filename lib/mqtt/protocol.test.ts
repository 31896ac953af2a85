import { describe, expect, it } from "vitest";
import { firstLevel, levelAfterRefusal, protocolChoice } from "./protocol";

describe("the tab's protocol level", () => {
  it("is 3.1.1 on the embedded broker and 5 first on any other", () => {
    expect(firstLevel(protocolChoice(true))).toBe(4);
    expect(firstLevel(protocolChoice(false))).toBe(5);
  });

  it("steps down to 3.1.1 when a broker refuses level 5 as a 3.1.1 or a 5.0 server would", () => {
    expect(levelAfterRefusal("auto", 5, 0x01)).toBe(4);
    expect(levelAfterRefusal("auto", 5, 0x84)).toBe(4);
  });

  it("does not step down for refusals that are not about the level, nor below 3.1.1", () => {
    expect(levelAfterRefusal("auto", 5, 0x86)).toBeNull();
    expect(levelAfterRefusal("auto", 5, 0x05)).toBeNull();
    expect(levelAfterRefusal("auto", 5, undefined)).toBeNull();
    expect(levelAfterRefusal("auto", 4, 0x01)).toBeNull();
    expect(levelAfterRefusal(4, 4, 0x01)).toBeNull();
  });
});
