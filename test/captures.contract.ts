/**
 * The contract every Store's `captures` passes. Each implementation's test file calls
 * `capturesContract` with a factory that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CaptureRecord } from "../lib/store/captures";
import type { Store } from "../lib/store/types";

const record = (id: string, createdAt: number, extra: Partial<CaptureRecord> = {}): CaptureRecord => ({
  id,
  name: `${id}.pcap`,
  createdAt,
  createdBy: "ada",
  bytes: 1234,
  summary: JSON.stringify({ mqttPackets: 3 }),
  ...extra,
});

export function capturesContract(name: string, open: () => Promise<Store>) {
  describe(`${name} captures contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("keeps captures' summaries, lists them newest first, and deletes them", async () => {
      const c = store.captures;
      expect(await c.list()).toEqual([]);
      await c.save(record("a1", 10));
      await c.save(record("b2", 30, { name: "it's a \"capture\".pcapng", bytes: 5_000_000_000 }));
      await c.save(record("c3", 20));
      expect((await c.list()).map((r) => r.id)).toEqual(["b2", "c3", "a1"]);
      expect(await c.get("b2")).toEqual(record("b2", 30, { name: "it's a \"capture\".pcapng", bytes: 5_000_000_000 }));
      expect(await c.get("nope")).toBeNull();
      expect(await c.remove("c3")).toBe(true);
      expect(await c.remove("c3")).toBe(false);
      expect((await c.list()).map((r) => r.id)).toEqual(["b2", "a1"]);
      await expect(c.save(record("a1", 40))).rejects.toThrow();
    });
  });
}
