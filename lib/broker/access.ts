import "server-only";
/**
 * The embedded broker's access control: Aedes's `authenticate`, `authorizePublish` and
 * `authorizeSubscribe`, built from the pure rules in access-rules.ts. Every connection
 * authenticates (service credentials, a browser token, device credentials, or anonymous only when
 * allowed); every refusal is logged on one line with the client and topic, and counted.
 */
import type { AedesOptions, Client } from "aedes";
import { looksLikeBrokerToken, verifyBrokerToken } from "../auth/broker-token";
import { decidePublish, decideSubscribe, describePrincipal, type Principal } from "./access-rules";
import { browserConnections, type BrowserConnections } from "./browser-connections";
import type { DeviceCredentials } from "../config/device-credentials";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import type { Convention, ConventionId } from "../devices/convention";
import { isServiceLogin } from "./service-credentials";
import { logger } from "../log/logger";
import { certificateName } from "./client-certificate";

export type AccessHandlers = Required<Pick<AedesOptions, "authenticate" | "authorizePublish" | "authorizeSubscribe">>;

export interface RefusalCounts {
  connect: number;
  publish: number;
  subscribe: number;
}

export interface FleetAccessOptions {
  devices: DeviceCredentials;
  /**
   * Whose topics a convention's device credential allows (lib/devices/builtin.ts by default); a
   * function when the conventions change while the broker runs (a rule saved), asked at each CONNECT.
   */
  conventions?: readonly Convention<never>[] | (() => readonly Convention<never>[]);
  anonymousDevices: boolean;
  /** FLEETSCOPE_AUTH=off: clients without credentials may do anything (a trusted lab). */
  authOff?: boolean;
  /** One line per refusal; the log by default. */
  log?: (line: string) => void;
  /** Called after each refusal with the running counts (health reports them). */
  onRefusal?: (counts: RefusalCounts) => void;
  now?: () => number;
  /** Where browser connections are registered by user (the process's by default). */
  browsers?: BrowserConnections;
}

/** [MQTT-3.2.2-3] CONNACK return codes 4 and 5: bad credentials, not authorised. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

const connectError = (returnCode: number, message: string) => Object.assign(new Error(message), { returnCode });

/** Bidi overrides, control characters and the like, escaped: a log line shows a hostile topic as inert text. */
export function printable(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface FleetAccess extends AccessHandlers {
  refusals(): RefusalCounts;
}

export function fleetAccess(opts: FleetAccessOptions): FleetAccess {
  const principals = new WeakMap<Client, Principal>();
  const counts: RefusalCounts = { connect: 0, publish: 0, subscribe: 0 };
  const log = opts.log ?? ((line: string) => logger("broker").warn(line));
  const now = opts.now ?? Date.now;
  const refused = (what: keyof RefusalCounts, line: string) => {
    counts[what]++;
    log(`fleetscope: broker refused ${line}`);
    opts.onRefusal?.({ ...counts });
  };

  const conventionsNow = () => (typeof opts.conventions === "function" ? opts.conventions() : (opts.conventions ?? BUILT_IN_CONVENTIONS));
  const identify = (client: Client, username: string | undefined, password: Buffer | undefined): Principal | null => {
    // A client certificate that verified names the device by its CN; a username, if sent, must agree.
    const cn = certificateName(client.conn);
    const byCertificate = cn !== null && (username === undefined || username === cn) ? opts.devices.checkCertificate(cn) : null;
    if (byCertificate !== null) return deviceOf(cn!, byCertificate, conventionsNow());
    if (isServiceLogin(username, password)) return { kind: "service", name: username! };
    if (password && looksLikeBrokerToken(password.toString("utf8"))) {
      const user = verifyBrokerToken(password.toString("utf8"), now());
      return user && user.username === username ? { kind: "browser", ...user } : null;
    }
    const convention = username !== undefined && password ? opts.devices.check(username, password) : null;
    if (convention !== null) return deviceOf(username!, convention, conventionsNow());
    if (username === undefined && password === undefined) {
      if (opts.authOff) return { kind: "lab" };
      if (opts.anonymousDevices) return { kind: "anonymous" };
    }
    return null;
  };

  return {
    authenticate(client, username, password, done) {
      const p = identify(client, username, password);
      if (!p) {
        refused("connect", `connection of ${printable(client.id)} as ${username === undefined ? "anonymous" : printable(username)}: bad or missing credentials`);
        return done(connectError(username === undefined ? NOT_AUTHORIZED : BAD_CREDENTIALS, "bad or missing credentials"), false);
      }
      principals.set(client, p);
      if (p.kind === "browser") (opts.browsers ?? browserConnections()).add(p.username, client);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // A null client: a Last Will left by a broker that is gone; nobody is left to answer for it.
      const p = client ? principals.get(client) : undefined;
      const d = p ? decidePublish(p, packet.topic) : { ok: false as const, reason: "no authenticated client" };
      if (d.ok) return done(null);
      refused("publish", `publish by ${printable(client?.id ?? "(none)")} (${p ? describePrincipal(p) : "unknown"}) to ${printable(packet.topic)}: ${d.reason}`);
      done(new Error(d.reason));
    },
    authorizeSubscribe(client, sub, done) {
      const p = principals.get(client);
      const d = p ? decideSubscribe(p, sub.topic) : { ok: false as const, reason: "no authenticated client" };
      if (d.ok) return done(null, sub);
      // Aedes can hand over a SUBSCRIBE read while its CONNECT is still being processed, before the
      // client has an id (or a principal): it is refused, and must not take the broker down.
      refused("subscribe", `subscription by ${printable(client.id ?? "(none)")} (${p ? describePrincipal(p) : "unknown"}) to ${printable(sub.topic)}: ${d.reason}`);
      // [MQTT-3.9.3-2]: a null subscription answers 0x80 in the SUBACK; the connection stays.
      done(null, null);
    },
    refusals: () => ({ ...counts }),
  };
}

/** Lets everyone do anything: for tests and benchmarks that are not about access control. */
export const openAccess: AccessHandlers = {
  authenticate: (_c, _u, _p, done) => done(null, true),
  authorizePublish: (_c, packet, done) => done(packet.topic.startsWith("$SYS") ? new Error("$SYS is the broker's") : null),
  authorizeSubscribe: (_c, sub, done) => done(null, sub),
};

/**
 * A device principal: a demo device confined by the demo layout's rules, any other by what its
 * convention allows its name. A convention that names no topics allows nothing, not everything.
 */
function deviceOf(name: string, convention: ConventionId, conventions: readonly Convention<never>[]): Principal {
  if (convention === "demo") return { kind: "device", id: name };
  const c = conventions.find((x) => x.id === convention);
  return { kind: "device", id: name, convention, access: c?.deviceAccess?.(name) ?? { publish: [], subscribe: [] } };
}
