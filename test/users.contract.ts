/**
 * The contract every Store's `users` passes (users and sessions). Each implementation's test
 * file calls `usersContract` with a factory that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../lib/store/types";

export function usersContract(name: string, open: () => Promise<Store>) {
  describe(`${name} users contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("creates a user once and lists users by name", async () => {
      const u = store.users;
      expect(await u.countUsers()).toBe(0);
      expect(await u.createUser({ username: "zoe", role: "viewer", passwordHash: "h1" }, 10)).toBe(true);
      expect(await u.createUser({ username: "Anna", role: "admin", passwordHash: "h2" }, 11)).toBe(true);
      expect(await u.createUser({ username: "zoe", role: "admin", passwordHash: "h3" }, 12)).toBe(false);
      expect(await u.countUsers()).toBe(2);
      expect((await u.listUsers()).map((x) => [x.username, x.role])).toEqual([
        ["Anna", "admin"],
        ["zoe", "viewer"],
      ]);
      expect(await u.getUser("zoe")).toEqual({ username: "zoe", role: "viewer", disabled: false, passwordHash: "h1", createdAt: 10, updatedAt: 10 });
      expect(await u.getUser("nobody")).toBeNull();
    });

    it("changes only what a patch names", async () => {
      const u = store.users;
      await u.createUser({ username: "op", role: "viewer", passwordHash: "old" }, 1);
      expect(await u.updateUser("op", { role: "operator" }, 2)).toMatchObject({ role: "operator", disabled: false, passwordHash: "old", updatedAt: 2 });
      expect(await u.updateUser("op", { disabled: true, passwordHash: "new" }, 3)).toMatchObject({ role: "operator", disabled: true, passwordHash: "new" });
      expect(await u.updateUser("op", { disabled: false }, 4)).toMatchObject({ disabled: false });
      expect(await u.updateUser("ghost", { role: "admin" }, 5)).toBeNull();
    });

    it("finds a session's user until it expires, the user is disabled or the session is deleted", async () => {
      const u = store.users;
      await u.createUser({ username: "v", role: "viewer", passwordHash: "h" }, 1);
      await u.createSession({ tokenHash: "t1", username: "v", expiresAt: 1000 }, 1);
      await u.createSession({ tokenHash: "t2", username: "v", expiresAt: 1000 }, 1);
      expect(await u.sessionUser("t1", 999)).toEqual({ username: "v", role: "viewer", expiresAt: 1000 });
      expect(await u.sessionUser("t1", 1000)).toBeNull();
      expect(await u.sessionUser("nope", 5)).toBeNull();
      await u.updateUser("v", { disabled: true }, 6);
      expect(await u.sessionUser("t1", 7)).toBeNull();
      await u.updateUser("v", { disabled: false, role: "operator" }, 8);
      expect(await u.sessionUser("t1", 9)).toMatchObject({ role: "operator" });
      await u.deleteSession("t1");
      expect(await u.sessionUser("t1", 10)).toBeNull();
      expect(await u.sessionUser("t2", 10)).not.toBeNull();
      await u.deleteSessionsOf("v");
      expect(await u.sessionUser("t2", 11)).toBeNull();
    });
  });
}
