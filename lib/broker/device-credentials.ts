/**
 * Device credentials from FLEETSCOPE_DEVICE_CREDENTIALS: `id:password,id:password`, or
 * `@/path/file` with one `id:password` a line (`#` starts a comment). The MQTT username is the
 * device id. Parsed at start; a malformed entry stops start-up naming its position, never its
 * password.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

export class DeviceCredentials {
  /** id → SHA-256 of the password: compared in constant time, never kept as given. */
  private readonly digests = new Map<string, Buffer>();

  add(id: string, password: string): this {
    this.digests.set(id, digest(password));
    return this;
  }

  /** True when `id` is a configured device and `password` is its password. */
  check(id: string, password: Buffer): boolean {
    const expected = this.digests.get(id);
    return expected !== undefined && timingSafeEqual(expected, createHash("sha256").update(password).digest());
  }

  get size(): number {
    return this.digests.size;
  }
}

const digest = (password: string) => createHash("sha256").update(password, "utf8").digest();

/** Entries of `id:password` pairs; throws with the entry's number and what is wrong with it. */
export function parseCredentialEntries(entries: string[], where: string): [string, string][] {
  return entries.map((entry, i) => {
    const colon = entry.indexOf(":");
    const id = colon < 0 ? entry : entry.slice(0, colon);
    const password = colon < 0 ? "" : entry.slice(colon + 1);
    if (!ID.test(id)) throw new Error(`${where} ${i + 1}: the device id must be 1..128 letters, digits, _ . or -`);
    if (password.length < 8) throw new Error(`${where} ${i + 1} (${id}): the password must be at least 8 characters`);
    return [id, password];
  });
}

/** The value of FLEETSCOPE_DEVICE_CREDENTIALS as pairs (a file is read now). */
export function readDeviceCredentials(value: string): [string, string][] {
  if (value.startsWith("@")) {
    const path = value.slice(1);
    const lines = readFileSync(path, "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith("#"));
    return parseCredentialEntries(lines, `${path} entry`);
  }
  return parseCredentialEntries(
    value.split(",").map((e) => e.trim()).filter((e) => e.length > 0),
    "entry",
  );
}
