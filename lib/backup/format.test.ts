import { describe, expect, it } from "vitest";
import { BACKUP_VERSION, encodeHeader, parseHeader, type Manifest } from "./format";

const sha = (c: string) => c.repeat(64);
const manifest: Manifest = {
  version: BACKUP_VERSION,
  createdAt: 1_796_000_000_000,
  store: { kind: "sqlite" },
  bridgeId: "fleetscope-bridge",
  entries: [
    { name: "broker", bytes: 8192, sha256: sha("a") },
    { name: "store", bytes: 4096, sha256: sha("b") },
  ],
};
const headerBytes = encodeHeader(manifest).length;
const fileBytes = headerBytes + 8192 + 4096;

describe("the backup file's header", () => {
  it("reads back what was written, with each entry's place in the file after the header", () => {
    const parsed = parseHeader(encodeHeader(manifest), fileBytes);
    expect(parsed).toEqual({
      ok: true,
      manifest,
      entries: [
        { name: "broker", bytes: 8192, sha256: sha("a"), offset: headerBytes },
        { name: "store", bytes: 4096, sha256: sha("b"), offset: headerBytes + 8192 },
      ],
    });
  });

  it("begins with a line a person can read in the file", () => {
    expect(encodeHeader(manifest).toString("utf8").split("\n")[0]).toBe("FLEETSCOPE-BACKUP 1");
  });

  it("refuses a SQLite database given as a backup, saying it is not one", () => {
    const sqlite = Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(84)]);
    expect(parseHeader(sqlite, 4096)).toEqual({ ok: false, problem: 'it is not a Fleetscope backup: it does not begin with "FLEETSCOPE-BACKUP 1"' });
    expect(parseHeader(Buffer.alloc(0), 0)).toMatchObject({ ok: false, problem: expect.stringContaining("not a Fleetscope backup") });
  });

  it("refuses a version it does not read, naming both", () => {
    expect(parseHeader(Buffer.from("FLEETSCOPE-BACKUP 2\n{}\n"), 100)).toEqual({ ok: false, problem: "it is a version 2 backup; this Fleetscope reads version 1" });
  });

  it("refuses a file cut short, and one with bytes past its last entry", () => {
    expect(parseHeader(encodeHeader(manifest), fileBytes - 1)).toEqual({ ok: false, problem: `it is cut short: its entries need ${fileBytes} bytes, the file has ${fileBytes - 1}` });
    expect(parseHeader(encodeHeader(manifest), fileBytes + 3)).toEqual({ ok: false, problem: "it has 3 bytes past its last entry" });
  });

  it("refuses a header that is not JSON, is cut off, or does not fit the schema", () => {
    expect(parseHeader(Buffer.from("FLEETSCOPE-BACKUP 1\n{nope\n"), 26)).toEqual({ ok: false, problem: "its header is not JSON" });
    expect(parseHeader(Buffer.from('FLEETSCOPE-BACKUP 1\n{"version":1'), 32)).toMatchObject({ ok: false, problem: expect.stringContaining("cut short") });
    const twice = { ...manifest, entries: [manifest.entries[0], manifest.entries[0], manifest.entries[1]] };
    expect(parseHeader(Buffer.from(`FLEETSCOPE-BACKUP 1\n${JSON.stringify(twice)}\n`), 1e6)).toMatchObject({ ok: false, problem: expect.stringContaining("listed twice") });
    const noStore = { ...manifest, entries: [manifest.entries[0]] };
    expect(parseHeader(Buffer.from(`FLEETSCOPE-BACKUP 1\n${JSON.stringify(noStore)}\n`), 1e6)).toMatchObject({ ok: false, problem: expect.stringContaining("store kind") });
    const badHash = { ...manifest, entries: [{ ...manifest.entries[0], sha256: "xyz" }, manifest.entries[1]] };
    expect(parseHeader(Buffer.from(`FLEETSCOPE-BACKUP 1\n${JSON.stringify(badHash)}\n`), 1e6)).toEqual({ ok: false, problem: "its header is not valid: entries.0.sha256: must be 64 hex digits" });
  });

  it("holds a PostgreSQL server's backup without a store entry", () => {
    const pg: Manifest = { ...manifest, store: { kind: "postgres" }, entries: [manifest.entries[0]!] };
    const header = encodeHeader(pg);
    expect(parseHeader(header, header.length + 8192)).toMatchObject({ ok: true, manifest: pg });
  });
});
