import { describe, expect, it } from "vitest";
import { abilities, roleAllows, usernameSchema } from "./roles";

describe("roles", () => {
  it("each role may do what the ones below it may", () => {
    expect(roleAllows("viewer", "viewer")).toBe(true);
    expect(roleAllows("viewer", "operator")).toBe(false);
    expect(roleAllows("operator", "viewer")).toBe(true);
    expect(roleAllows("operator", "admin")).toBe(false);
    expect(roleAllows("admin", "operator")).toBe(true);
  });

  it("offer publishing, commands and acknowledging alerts from operator up, user and rule management to admins only", () => {
    expect(abilities("viewer")).toEqual({ publish: false, command: false, acknowledge: false, manageUsers: false, manageRules: false });
    expect(abilities("operator")).toEqual({ publish: true, command: true, acknowledge: true, manageUsers: false, manageRules: false });
    expect(abilities("admin")).toEqual({ publish: true, command: true, acknowledge: true, manageUsers: true, manageRules: true });
  });

  it("usernames are plain names: no spaces, markup or path characters", () => {
    for (const ok of ["admin", "e2e-viewer", "j.doe_2"]) expect(usernameSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["", "a b", "<img>", "../x", "a/b", "x".repeat(65)]) expect(usernameSchema.safeParse(bad).success).toBe(false);
  });
});
