/**
 * The contract every Store's `rules` passes (saved convention rules and their audit trail). Each
 * implementation's test file calls `rulesContract` with a factory that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_SAVED_RULES, TooManyRulesError } from "../lib/store/rules";
import type { Store } from "../lib/store/types";

export function rulesContract(name: string, open: () => Promise<Store>) {
  describe(`${name} rules contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("saves, replaces and deletes rules, auditing each change with who and when", async () => {
      const r = store.rules;
      expect(await r.list()).toEqual([]);
      expect(await r.save({ name: "plant", doc: `{"name":"plant","pattern":"plant/{device}"}` }, "ada", 10)).toBe("created");
      expect(await r.save({ name: "Alpha", doc: `{"name":"Alpha","pattern":"a/{device}"}` }, "bob", 11)).toBe("created");
      expect(await r.save({ name: "plant", doc: `{"name":"plant","pattern":"plant/{device}/#"}` }, "bob", 12)).toBe("updated");
      // The same text again is no change: nothing is audited.
      expect(await r.save({ name: "plant", doc: `{"name":"plant","pattern":"plant/{device}/#"}` }, "cy", 13)).toBe("unchanged");
      expect(await r.list()).toEqual([
        { name: "Alpha", doc: `{"name":"Alpha","pattern":"a/{device}"}`, createdAt: 11, updatedAt: 11, updatedBy: "bob" },
        { name: "plant", doc: `{"name":"plant","pattern":"plant/{device}/#"}`, createdAt: 10, updatedAt: 12, updatedBy: "bob" },
      ]);
      expect(await r.remove("plant", "ada", 14)).toBe(true);
      expect(await r.remove("plant", "ada", 15)).toBe(false);
      expect((await r.list()).map((x) => x.name)).toEqual(["Alpha"]);
      const changes = await r.changes(10);
      expect(changes.map((c) => [c.at, c.actor, c.action, c.name])).toEqual([
        [14, "ada", "deleted", "plant"],
        [12, "bob", "updated", "plant"],
        [11, "bob", "created", "Alpha"],
        [10, "ada", "created", "plant"],
      ]);
      expect(changes[0]!.doc).toBeNull();
      expect(changes[1]!.doc).toBe(`{"name":"plant","pattern":"plant/{device}/#"}`);
      expect((await r.changes(10, "Alpha")).map((c) => c.action)).toEqual(["created"]);
      expect((await r.changes(2)).map((c) => c.at)).toEqual([14, 12]);
    });

    it("keeps a rule's text exactly, quotes and all", async () => {
      const doc = `{"name":"q","pattern":"it's/{device}","label":"x'); DROP TABLE convention_rules; --"}`;
      await store.rules.save({ name: "q", doc }, "o'brien", 1);
      expect((await store.rules.list())[0]).toMatchObject({ doc, updatedBy: "o'brien" });
    });

    it(`refuses a new rule past MAX_SAVED_RULES (${MAX_SAVED_RULES}) and still replaces existing ones`, async () => {
      for (let i = 0; i < MAX_SAVED_RULES; i++) await store.rules.save({ name: `r${i}`, doc: `{"n":${i}}` }, "a", i);
      await expect(store.rules.save({ name: "one-more", doc: "{}" }, "a", 100)).rejects.toBeInstanceOf(TooManyRulesError);
      expect(await store.rules.save({ name: "r0", doc: `{"n":"new"}` }, "a", 101)).toBe("updated");
      expect(await store.rules.list()).toHaveLength(MAX_SAVED_RULES);
      expect((await store.rules.changes(1))[0]).toMatchObject({ name: "r0", action: "updated" });
    });
  });
}
