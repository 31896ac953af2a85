import { describe, expect, it } from "vitest";
import { loginUrl, safeNext } from "./page-path";

describe("where a login sends the user back to", () => {
  it("is a path on this site", () => {
    expect(safeNext("/devices/arm-01?range=5m")).toBe("/devices/arm-01?range=5m");
    expect(loginUrl("/topics")).toBe("/login?next=%2Ftopics");
  });

  it("is never another site, a scheme, or the login page itself", () => {
    for (const bad of ["//evil.example/x", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/login?next=/x", "", null, undefined]) {
      expect(safeNext(bad)).toBe("/");
    }
    expect(loginUrl("/")).toBe("/login");
    expect(loginUrl(null)).toBe("/login");
  });
});
