/**
 * The backup file (`npm run backup -- <file>`): one file holding SQLite files end to end, with a
 * text header that says what they are. No I/O here; lib/backup/archive.ts reads and writes it.
 *
 *   FLEETSCOPE-BACKUP 1\n
 *   {"version":1,"createdAt":…,"entries":[{"name":"broker","bytes":…,"sha256":"…"},…],…}\n
 *   <the bytes of each entry, in the order listed, nothing between them>
 *
 * Each entry is a whole SQLite database file as SQLite's online backup API wrote it, so `tail -c`
 * and `head -c` take one out by hand. The sizes in the header must add up to the file's length
 * exactly: a truncated copy is refused before anything is restored, and each entry's SHA-256 is
 * checked as it is written back.
 */
import { z } from "zod";

export const BACKUP_MAGIC = "FLEETSCOPE-BACKUP";
export const BACKUP_VERSION = 1;
/** The magic line and the manifest line together are at most this long; a reader reads no more to find them. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** What an entry is, and so where restore puts it (lib/backup/plan.ts). */
export const ENTRY_NAMES = ["broker", "spool", "store"] as const;
export type EntryName = (typeof ENTRY_NAMES)[number];

const entrySchema = z.object({
  name: z.enum(ENTRY_NAMES),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex digits"),
});
export type Entry = z.infer<typeof entrySchema>;

export const manifestSchema = z
  .object({
    version: z.literal(BACKUP_VERSION),
    createdAt: z.number().int(),
    /** A PostgreSQL store is not in the file: its pg_dump is the user's to take (README). */
    store: z.discriminatedUnion("kind", [z.object({ kind: z.literal("sqlite") }), z.object({ kind: z.literal("postgres") })]),
    /** The bridge whose spool (and whose broker session) the file holds: restore puts the spool under this id. */
    bridgeId: z.string().min(1).max(256),
    entries: z.array(entrySchema).max(ENTRY_NAMES.length),
  })
  .strict()
  .superRefine((m, ctx) => {
    const names = m.entries.map((e) => e.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", message: "an entry is listed twice" });
    if ((m.store.kind === "sqlite") !== names.includes("store")) ctx.addIssue({ code: "custom", message: "the store entry does not match the store kind" });
  });
export type Manifest = z.infer<typeof manifestSchema>;

/** The header to write before the entries' bytes. */
export function encodeHeader(manifest: Manifest): Buffer {
  const header = Buffer.from(`${BACKUP_MAGIC} ${BACKUP_VERSION}\n${JSON.stringify(manifestSchema.parse(manifest))}\n`, "utf8");
  if (header.length > MAX_HEADER_BYTES) throw new Error(`the backup header is ${header.length} bytes, more than ${MAX_HEADER_BYTES}`);
  return header;
}

/** Where each entry's bytes sit in the file. */
export interface Located extends Entry {
  offset: number;
}

export type ParsedHeader = { ok: true; manifest: Manifest; entries: Located[] } | { ok: false; problem: string };

/**
 * Reads the header from the first bytes of a file (up to MAX_HEADER_BYTES of them) and checks it
 * against the file's length. `problem` says, in words for the person who ran restore, why the file
 * is not a backup this version can restore.
 */
export function parseHeader(head: Buffer, fileBytes: number): ParsedHeader {
  const firstLine = head.indexOf(0x0a);
  const magic = head.subarray(0, firstLine < 0 ? Math.min(head.length, BACKUP_MAGIC.length + 8) : firstLine).toString("latin1");
  const m = /^FLEETSCOPE-BACKUP (\d+)$/.exec(magic);
  if (!m) return { ok: false, problem: `it is not a Fleetscope backup: it does not begin with "${BACKUP_MAGIC} ${BACKUP_VERSION}"` };
  if (Number(m[1]) !== BACKUP_VERSION) return { ok: false, problem: `it is a version ${m[1]} backup; this Fleetscope reads version ${BACKUP_VERSION}` };
  const secondLine = head.indexOf(0x0a, firstLine + 1);
  if (secondLine < 0) return { ok: false, problem: `its header is cut short or longer than ${MAX_HEADER_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(head.subarray(firstLine + 1, secondLine).toString("utf8"));
  } catch {
    return { ok: false, problem: "its header is not JSON" };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `its header is not valid: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}` };
  }
  let offset = secondLine + 1;
  const entries: Located[] = [];
  for (const e of parsed.data.entries) {
    entries.push({ ...e, offset });
    offset += e.bytes;
  }
  if (offset !== fileBytes) {
    return { ok: false, problem: offset > fileBytes ? `it is cut short: its entries need ${offset} bytes, the file has ${fileBytes}` : `it has ${fileBytes - offset} bytes past its last entry` };
  }
  return { ok: true, manifest: parsed.data, entries };
}

/** "12.3 MB": sizes in what the CLIs print. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e5 ? 2 : 1)} MB`;
}
