/**
 * Device credentials from FLEETSCOPE_DEVICE_CREDENTIALS: `id:password,id:password`, or
 * `@/path/file` with one `id:password` a line (`#` starts a comment). The MQTT username is the
 * device id. A device of another convention than the demo one says which, before its native
 * name: `tasmota=plug-1:password`, `sparkplug=<group>/<edge node>:password`, and is then allowed
 * the topics its convention gives it (Convention.deviceAccess). `cert` in place of the password
 * (`arm-07:cert`, `tasmota=plug-1:cert`) lets the device in by a client certificate instead, over
 * the TLS listener: one signed by MQTT_TLS_CA whose subject CN is the name. No password is that
 * short, so every entry that parsed before reads as it did. Parsed at start; a malformed entry
 * stops start-up naming its position, never its password.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ConventionId } from "../devices/convention";

const ID = /^[A-Za-z0-9_.-]{1,128}$/;
/** A convention's native name: a Sparkplug `<group>/<edge node>` holds a `/`. */
const NATIVE_NAME = /^[A-Za-z0-9_.\/-]{1,128}$/;

/**
 * The prefixes an entry may name its convention by, short names included. Home Assistant
 * discovery has none: its devices choose their state and command topics freely, so no topics can
 * be given to one by its name.
 */
const CONVENTION_PREFIXES: Record<string, ConventionId> = {
  demo: "demo",
  sparkplug: "sparkplug",
  homie: "homie",
  zigbee2mqtt: "zigbee2mqtt",
  z2m: "zigbee2mqtt",
  tasmota: "tasmota",
};

/** The password field of an entry whose device logs in by its client certificate's CN. */
export const CERTIFICATE_LOGIN = "cert";

/** `[name, password]` for a demo device, `[name, password, convention]` for another's. */
export type DeviceCredentialEntry = [name: string, password: string, convention?: ConventionId];

export class DeviceCredentials {
  /** name → SHA-256 of the password and the convention: compared in constant time, never kept as given. */
  private readonly digests = new Map<string, { digest: Buffer; convention: ConventionId }>();
  /** Certificate CN → the device's convention. */
  private readonly certificates = new Map<string, ConventionId>();

  /** `password` CERTIFICATE_LOGIN: the device logs in by its client certificate. */
  add(id: string, password: string, convention: ConventionId = "demo"): this {
    if (password === CERTIFICATE_LOGIN) this.certificates.set(id, convention);
    else this.digests.set(id, { digest: digest(password), convention });
    return this;
  }

  /** The device's convention when a verified client certificate's CN names a device with a `cert` entry, else null. */
  checkCertificate(cn: string): ConventionId | null {
    return this.certificates.get(cn) ?? null;
  }

  /** The device's convention when `id` is a configured device and `password` is its password, else null. */
  check(id: string, password: Buffer): ConventionId | null {
    const expected = this.digests.get(id);
    const ok = expected !== undefined && timingSafeEqual(expected.digest, createHash("sha256").update(password).digest());
    return ok ? expected.convention : null;
  }

  get size(): number {
    return this.digests.size + this.certificates.size;
  }
}

const digest = (password: string) => createHash("sha256").update(password, "utf8").digest();

/** Entries of `[convention=]id:password`; throws with the entry's number and what is wrong with it. */
export function parseCredentialEntries(entries: string[], where: string): DeviceCredentialEntry[] {
  return entries.map((entry, i): DeviceCredentialEntry => {
    const colon = entry.indexOf(":");
    const head = colon < 0 ? entry : entry.slice(0, colon);
    const password = colon < 0 ? "" : entry.slice(colon + 1);
    const eq = head.indexOf("=");
    const prefix = eq < 0 ? null : head.slice(0, eq);
    const id = eq < 0 ? head : head.slice(eq + 1);
    const convention = prefix === null ? null : Object.hasOwn(CONVENTION_PREFIXES, prefix) ? CONVENTION_PREFIXES[prefix]! : undefined;
    if (convention === undefined) {
      throw new Error(`${where} ${i + 1}: ${JSON.stringify(prefix)} is no convention (one of ${Object.keys(CONVENTION_PREFIXES).join(", ")})`);
    }
    if (convention === null || convention === "demo") {
      if (!ID.test(id)) throw new Error(`${where} ${i + 1}: the device id must be 1..128 letters, digits, _ . or -`);
    } else if (!NATIVE_NAME.test(id)) {
      throw new Error(`${where} ${i + 1}: the ${convention} name must be 1..128 letters, digits, _ . / or -`);
    }
    if (password !== CERTIFICATE_LOGIN && password.length < 8) throw new Error(`${where} ${i + 1} (${id}): the password must be at least 8 characters`);
    return convention === null || convention === "demo" ? [id, password] : [id, password, convention];
  });
}

/** The value of FLEETSCOPE_DEVICE_CREDENTIALS as pairs (a file is read now). */
export function readDeviceCredentials(value: string): DeviceCredentialEntry[] {
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
