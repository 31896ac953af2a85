/**
 * The contract every store's command log passes. Each store's test file calls it with a factory
 * that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyInput, type Command } from "../lib/commands/lifecycle";
import { sampleCommand } from "./helpers/commands";
import { InvalidCursorError, type Store } from "../lib/store/types";

const command = sampleCommand;

export function commandLogContract(name: string, open: () => Promise<Store>) {
  describe(`${name} command log contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("stores a command and its whole lifecycle, read back as it was saved", async () => {
      const c = command({ args: { joint: 2, angle: -12.5 } });
      expect(await store.commands.create([c])).toEqual([{ command: c, created: true }]);
      const done = [
        { type: "published", at: 1_010 },
        { type: "pubcomp", at: 1_020 },
        { type: "reply", at: 1_100, ok: true, result: { target: -12.5 } },
      ].reduce((x, i) => applyInput(x, i as Parameters<typeof applyInput>[1]), c);
      await store.commands.save([done]);
      const back = await store.commands.get(c.id);
      expect(back).toEqual(done);
      expect(back!.transitions.map((t) => t.state)).toEqual(["queued", "sent", "delivered", "succeeded"]);
      expect(await store.commands.get("no-such-id")).toBeNull();
    });

    it("a second command with a taken idempotency key is not stored; the first comes back", async () => {
      const first = command({ key: "client-key-1" });
      await store.commands.create([first]);
      const retry = await store.commands.create([command({ key: "client-key-1", args: { joint: 3, angle: 1 } })]);
      expect(retry).toEqual([{ command: first, created: false }]);
      expect((await store.commands.list({ limit: 10 })).commands).toHaveLength(1);
      // Commands without a key never collide.
      await store.commands.create([command()]);
      await store.commands.create([command()]);
      expect((await store.commands.list({ limit: 10 })).commands).toHaveLength(3);
    });

    it("records many commands in one call, a key taken twice in it going to the first", async () => {
      const a = command({ key: "k-a" });
      const b = command();
      const a2 = command({ key: "k-a", args: { joint: 9, angle: 9 } });
      expect(await store.commands.create([a, b, a2])).toEqual([
        { command: a, created: true },
        { command: b, created: true },
        { command: a, created: false },
      ]);
      const sent = [a, b].map((c) => applyInput(c, { type: "published", at: 2_000 }));
      await store.commands.save(sent);
      expect((await store.commands.open()).map((c) => c.state)).toEqual(["sent", "sent"]);
      await store.commands.create([]);
      await store.commands.save([]);
    });

    it("lists newest first with filters and pages through a cursor without repeats", async () => {
      for (let i = 0; i < 7; i++) {
        await store.commands.create([command({ createdAt: 1_000 + Math.floor(i / 2), device: i % 2 ? "arm-02" : "arm-01", name: i < 3 ? "stop" : "move_joint", actor: i === 6 ? "eve" : "ops" })]);
      }
      const seen: Command[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.commands.list({ limit: 3, cursor });
        seen.push(...page.commands);
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(7);
      expect(new Set(seen.map((c) => c.id)).size).toBe(7);
      expect(seen.map((c) => c.createdAt)).toEqual([...seen.map((c) => c.createdAt)].sort((a, b) => b - a));
      expect((await store.commands.list({ limit: 10, device: "arm-02" })).commands.every((c) => c.device === "arm-02")).toBe(true);
      expect((await store.commands.list({ limit: 10, name: "stop" })).commands).toHaveLength(3);
      expect((await store.commands.list({ limit: 10, actor: "eve" })).commands).toHaveLength(1);
      expect((await store.commands.list({ limit: 10, from: 1_002, to: 1_002 })).commands).toHaveLength(2);
      expect((await store.commands.list({ limit: 10, state: "queued" })).commands).toHaveLength(7);
      await expect(store.commands.list({ limit: 10, cursor: "bogus" })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it("open() lists only the commands not yet final, oldest first", async () => {
      const a = command({ createdAt: 5 });
      const b = command({ createdAt: 3 });
      const c = command({ createdAt: 4 });
      for (const x of [a, b, c]) await store.commands.create([x]);
      await store.commands.save([applyInput(applyInput(c, { type: "published", at: 6 }), { type: "timeout", at: 7 })]);
      await store.commands.save([applyInput(a, { type: "published", at: 6 })]);
      expect((await store.commands.open()).map((x) => [x.id, x.state])).toEqual([
        [b.id, "queued"],
        [a.id, "sent"],
      ]);
    });

    it("keeps replies nobody claimed, with hostile text as it came", async () => {
      await store.commands.recordUnmatched({ ts: 1, topic: "fleet/a/arm-01/cmd/stop/reply", device: "arm-01", replyId: "nope", payload: `{"id":"nope","ok":true}` });
      await store.commands.recordUnmatched({ ts: 2, topic: "fleet/a/arm-01/cmd/stop/reply", device: "arm-01", replyId: null, payload: "'); DROP TABLE commands; --" });
      expect(await store.commands.unmatched(10)).toEqual([
        { ts: 2, topic: "fleet/a/arm-01/cmd/stop/reply", device: "arm-01", replyId: null, payload: "'); DROP TABLE commands; --" },
        { ts: 1, topic: "fleet/a/arm-01/cmd/stop/reply", device: "arm-01", replyId: "nope", payload: `{"id":"nope","ok":true}` },
      ]);
    });
  });
}
