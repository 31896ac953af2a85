import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

let dir: string;
let db: Database.Database;
let reader: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fleetscope-group-commit-"));
  db = new Database(join(dir, "t.db"));
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE t (v INTEGER)");
  reader = new Database(join(dir, "t.db"), { readonly: true });
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: number) => () => void db.prepare("INSERT INTO t (v) VALUES (?)").run(v);
const committed = () => (reader.prepare("SELECT v FROM t ORDER BY v").all() as { v: number }[]).map((r) => r.v);

describe("group commit", () => {
  it("operations queued in one turn share one transaction, and each settles once it is committed", async () => {
    const commits = new GroupCommit(db, () => {});
    let transactions = 0;
    const seen: number[][] = [];
    const ops = [1, 2, 3].map((v) =>
      commits
        .run(() => {
          if (v === 1) transactions++;
          expect(db.inTransaction).toBe(true);
          insert(v)();
        })
        // Another connection sees the write by the time the promise settles: it is on disk.
        .then(() => seen.push(committed())),
    );
    expect(committed()).toEqual([]);
    await Promise.all(ops);
    expect(transactions).toBe(1);
    expect(seen).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it("a full queue commits at once, without waiting for the end of the turn", async () => {
    const commits = new GroupCommit(db, () => {}, 2);
    const first = commits.run(insert(1));
    const second = commits.run(insert(2));
    expect(committed()).toEqual([1, 2]);
    await Promise.all([first, second]);
  });

  it("a refused operation fails alone; the others in its transaction stand", async () => {
    const commits = new GroupCommit(db, () => {});
    const results = await Promise.allSettled([
      commits.run(insert(1)),
      commits.run(() => {
        throw new Error("no such packet");
      }),
      commits.run(insert(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(committed()).toEqual([1, 3]);
  });

  it("SQLite's own failure undoes the whole transaction, rejects every operation in it and asks for memory to be read again", async () => {
    let reloads = 0;
    const commits = new GroupCommit(db, () => reloads++);
    const results = await Promise.allSettled([
      commits.run(insert(1)),
      commits.run(() => {
        throw new Database.SqliteError("disk I/O error", "SQLITE_IOERR");
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(committed()).toEqual([]);
    expect(reloads).toBe(1);
  });

  it("after close, what was queued is committed and nothing more is taken", async () => {
    const commits = new GroupCommit(db, () => {});
    const queued = commits.run(insert(1));
    commits.close();
    expect(committed()).toEqual([1]);
    await queued;
    await expect(commits.run(insert(2))).rejects.toThrow(/closed/);
  });
});
