import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { Spool } from "./spool";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-spool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const message = (topic: string) => ({ ts: 1, topic, qos: 1 as const, retain: false, dup: false, payload: Buffer.from(topic) });

/** A spool file as versions before AUTOINCREMENT made it, with `topics` pending. */
function oldSpoolFile(topics: string[]): string {
  const path = join(dir, `old-${n++}.db`);
  const db = new Database(path);
  db.exec(`CREATE TABLE spool (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, topic TEXT NOT NULL,
             qos INTEGER NOT NULL, retain INTEGER NOT NULL, dup INTEGER NOT NULL, payload BLOB NOT NULL);
           CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
           INSERT INTO meta VALUES ('instance', 'old-instance');`);
  for (const t of topics) db.prepare("INSERT INTO spool (ts, topic, qos, retain, dup, payload) VALUES (1, ?, 1, 0, 0, x'00')").run(t);
  db.close();
  return path;
}

describe("Spool", () => {
  it("never gives a row id twice, even once drained empty and reopened", () => {
    const path = join(dir, `ids-${n++}.db`);
    let spool = new Spool(path);
    spool.putMany([message("a"), message("b")]);
    const first = spool.takeAfter(0, 10).map((m) => m.id);
    spool.release(first[1]!, 2);
    spool.close();
    spool = new Spool(path);
    spool.put(2, "c", 1, false, false, Buffer.from("c"));
    const [next] = spool.takeAfter(0, 10);
    expect(next!.id).toBeGreaterThan(first[1]!);
    spool.close();
  });

  it("belongs to one bridge at a time: another is refused, told what to change, until the first closes it", () => {
    const path = join(dir, `held-${n++}.db`);
    const first = new Spool(path);
    first.put(1, "a", 1, false, false, Buffer.from("a"));
    expect(() => new Spool(path, undefined, 50)).toThrow(/in use by another bridge: give each bridge its own FLEETSCOPE_BRIDGE_ID/);
    // The refused one took nothing: the first still has its row, and counts it.
    expect(first.takeAfter(0, 10).map((m) => m.topic)).toEqual(["a"]);
    expect(first.size()).toBe(1);
    first.close();
    const next = new Spool(path, undefined, 50);
    expect(next.size()).toBe(1);
    next.close();
  });

  it("upgrades a spool file made before AUTOINCREMENT, keeping its pending rows, their ids and instance", () => {
    const path = oldSpoolFile(["a", "b"]);
    const spool = new Spool(path);
    expect(spool.instance).toBe("old-instance");
    expect(spool.takeAfter(0, 10).map((m) => [m.id, m.topic])).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    spool.release(2, 2);
    spool.put(2, "c", 1, false, false, Buffer.from("c"));
    expect(spool.takeAfter(0, 10)[0]!.id).toBe(3);
    spool.close();
  });

  it("gives an empty old spool file a new instance, since its ids may have been used before", () => {
    const spool = new Spool(oldSpoolFile([]));
    expect(spool.instance).not.toBe("old-instance");
    spool.close();
  });

  it("hands the drainer the same messages from its in-memory tail as from the file, across slides and releases", () => {
    const path = join(dir, `tail-${n++}.db`);
    const spool = new Spool(path, 4);
    const fromFile = () => {
      // The file as a second connection reads it (the spool is its bridge's alone: no second Spool).
      const other = new Database(path, { readonly: true });
      const read = other.prepare<[number], { id: number; topic: string; payload: Buffer }>("SELECT id, topic, payload FROM spool WHERE id > ? ORDER BY id");
      const all = (after: number) => read.all(after).map((m) => [m.id, m.topic, m.payload.toString()]);
      return { all, close: () => other.close() };
    };
    spool.putMany(["a", "b", "c"].map(message));
    spool.put(2, "d", 1, false, false, Buffer.from("d"));
    spool.putMany(["e", "f", "g"].map(message));
    const ids = spool.takeAfter(0, 100).map((m) => m.id);
    expect(ids).toHaveLength(7);
    const disk = fromFile();
    for (const after of [0, ids[2]!, ids[4]!, ids[6]!]) {
      expect(spool.takeAfter(after, 100).map((m) => [m.id, m.topic, m.payload.toString()])).toEqual(disk.all(after));
      expect(spool.takeAfter(after, 2)).toHaveLength(Math.min(2, ids.filter((id) => id > after).length));
    }
    disk.close();
    spool.release(ids[4]!, 5);
    expect(spool.takeAfter(0, 100).map((m) => m.topic)).toEqual(["f", "g"]);
    expect(spool.size()).toBe(2);
    spool.close();
  });
});
