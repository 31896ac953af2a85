import { describe, expect, it } from "vitest";
import { undecodablePath } from "./raw-path";

describe("undecodablePath", () => {
  it("spots percent-encoding that does not decode, in the path only", () => {
    expect(undecodablePath("/api/devices/%ZZ")).toBe(true);
    expect(undecodablePath("/api/devices/%E0%A4%A")).toBe(true);
    expect(undecodablePath("/api/devices/arm%2D01")).toBe(false);
    expect(undecodablePath("/api/messages?topic=%ZZ")).toBe(false);
    expect(undecodablePath(undefined)).toBe(false);
  });
});
