import "server-only";
/**
 * Writing and reading the backup file (lib/backup/format.ts) on disk. Every file this writes
 * appears whole or not at all: it is written under a temporary name in the same folder, synced,
 * renamed over the final name, and the folder synced.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { encodeHeader, MAX_HEADER_BYTES, parseHeader, type EntryName, type Located, type Manifest, type ParsedHeader } from "./format";

/** A name beside `file` for a temporary file that becomes it. */
export const tempBeside = (file: string, what: string) => join(dirname(file), `.${basename(file)}.${what}-${randomBytes(6).toString("hex")}.tmp`);

/** Syncs a folder, so a rename in it survives a power cut. */
export async function syncFolder(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function digest(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** Writes the backup file `out` holding `parts` (SQLite files, in the order given), readable by its owner only. */
export async function writeBackup(out: string, manifest: Omit<Manifest, "entries">, parts: { name: EntryName; file: string }[]): Promise<Manifest> {
  const entries: Manifest["entries"] = [];
  for (const p of parts) entries.push({ name: p.name, ...(await digest(p.file)) });
  const full: Manifest = { ...manifest, entries };
  const tmp = tempBeside(out, "backup");
  const fh = await open(tmp, "wx", 0o600);
  try {
    await fh.write(encodeHeader(full));
    for (const p of parts) for await (const chunk of createReadStream(p.file)) await fh.write(chunk as Buffer);
    await fh.sync();
    await fh.close();
    await rename(tmp, out);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await syncFolder(dirname(out));
  return full;
}

/** The header of the file at `file`, checked against its length. */
export async function readBackupHeader(file: string): Promise<ParsedHeader> {
  const size = (await stat(file)).size;
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await fh.read(head, 0, head.length, 0);
    return parseHeader(head, size);
  } finally {
    await fh.close();
  }
}

/**
 * Writes one entry of the backup file to the new file `destination`, synced; throws when its bytes
 * are not the ones its SHA-256 in the header names.
 */
export async function extractEntry(backupFile: string, entry: Located, destination: string): Promise<void> {
  const hash = createHash("sha256");
  // Made as the server makes its files (the umask decides), not as private as the backup file.
  const fh = await open(destination, "wx");
  try {
    if (entry.bytes > 0) {
      for await (const chunk of createReadStream(backupFile, { start: entry.offset, end: entry.offset + entry.bytes - 1 })) {
        hash.update(chunk as Buffer);
        await fh.write(chunk as Buffer);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (hash.digest("hex") !== entry.sha256) throw new Error(`the ${entry.name} entry's bytes do not match its SHA-256: the file is damaged`);
}
