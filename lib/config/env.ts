/**
 * Configuration from the environment (the README's "Configuration"). Parsed once at start; a
 * wrong value stops start-up with one line naming the variable and what is wrong.
 */
import { z } from "zod";
import { DEFAULT_CAPTURE_PORTS, parseCapturePorts, type CapturePorts } from "./capture-ports";
import { isIP } from "node:net";
import { readableFile } from "./readable-file";
import { normalizeAddress } from "../auth/peer";
import { passwordSchema } from "../auth/roles";
import { readDeviceCredentials, type DeviceCredentialEntry } from "./device-credentials";
import type { Rule } from "../devices/conventions/rules";
import { readConventionRules } from "./rules-file";
import { parseDuration } from "../alerts/duration";
import { DEFAULT_GROUPING, type GroupingOptions } from "../alerts/grouping";
import { logLevel, type LogLevel } from "../log/level";

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be 0..65535")
  .max(65535, "must be 0..65535");

const brokerUrl = z
  .string()
  .refine((s) => /^(mqtts?|wss?):\/\/[^/]/.test(s), "must be an mqtt://, mqtts://, ws:// or wss:// URL");

const databaseUrl = z
  .string()
  .refine((s) => /^file:.+/.test(s) || /^postgres(ql)?:\/\/[^/]/.test(s), "must be file:<path> or postgres://…");

const share = z.coerce
  .number({ error: "must be a number" })
  .min(0, "must be a share in 0..1")
  .max(1, "must be a share in 0..1");

/** Comma-separated http(s) URLs, each one checked: the error names the one that is not. */
const webhookUrls = z.string().transform((s, ctx) => {
  const urls = s.split(",").map((u) => u.trim()).filter((u) => u !== "");
  for (const u of urls) {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(u).protocol);
    } catch {
      /* not a URL */
    }
    if (!ok) {
      ctx.addIssue({ code: "custom", message: `must be http:// or https:// URLs, comma-separated; ${JSON.stringify(u)} is not one` });
      return z.NEVER;
    }
  }
  return urls;
});

/** The sender alert emails carry unless FLEETSCOPE_ALERT_EMAIL_FROM says another. */
export const DEFAULT_ALERT_EMAIL_FROM = "Fleetscope <fleetscope@localhost>";
/** smtp:// or smtps://, user and password in it when the server asks for them (lib/alerting/email.ts). */
const smtpUrl = z.string().refine((s) => URL.canParse(s) && ["smtp:", "smtps:"].includes(new URL(s).protocol), "must be an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.com:465");
const EMAIL_ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+$/;
const emailList = z
  .string()
  .transform((s) => s.split(",").map((a) => a.trim()).filter((a) => a !== ""))
  .refine((list) => list.length > 0 && list.every((a) => EMAIL_ADDRESS.test(a)), "must be email addresses, comma-separated");
/** An address, or `Name <address>`. */
const emailFrom = z.string().trim().refine((s) => EMAIL_ADDRESS.test(s) || /^[^<>\r\n]*<[^\s@<>,"]+@[^\s@<>,"]+>$/.test(s), 'must be an email address, or "Name <address>"');

/** "30s", "5m", "4h" or milliseconds, as alert rules take durations (lib/alerts/duration.ts). */
const duration = z.string().transform((s, ctx) => {
  const r = parseDuration(/^\d+$/.test(s) ? Number(s) : s);
  if (r.ok) return r.ms;
  ctx.addIssue({ code: "custom", message: r.reason });
  return z.NEVER;
});

const onOff = z.enum(["on", "off"], { error: "must be on or off" });

const schema = z.object({
  PORT: port.default(3000),
  MQTT_URL: brokerUrl.optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_TCP_PORT: port.default(1883),
  MQTT_WS_URL: brokerUrl.optional(),
  DATABASE_URL: databaseUrl.default("file:./data/fleetscope.db"),
  FLEETSCOPE_SIM_DEVICES: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0).max(10_000).optional(),
  FLEETSCOPE_BRIDGE: onOff.default("on"),
  FLEETSCOPE_SIM_FAILURES: share.default(0.05),
  FLEETSCOPE_SIM_LOST_REPLIES: share.default(0.05),
  FLEETSCOPE_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of days")
    .min(0, "must be 0 (keep everything) or more")
    .max(36_500)
    .default(30),
  FLEETSCOPE_BRIDGE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1..64 letters, digits, _ . or -")
    .default("fleetscope-bridge"),
  FLEETSCOPE_BRIDGE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1..64 letters, digits, _ . or -")
    .optional(),
  FLEETSCOPE_CAPTURE_MAX_MB: z.coerce.number({ error: "must be a number" }).int("must be a whole number of MB").min(1, "must be at least 1").max(1_000_000).default(512),
  FLEETSCOPE_CAPTURE_DIR: z.string().optional(),
  FLEETSCOPE_CAPTURE_INTERFACE: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/, "must be a network interface name, such as lo or eth0").optional(),
  FLEETSCOPE_CAPTURE_FILTER: z.string().max(1000).optional(),
  FLEETSCOPE_CAPTURE_PORTS: z.string().max(2000).default(DEFAULT_CAPTURE_PORTS),
  FLEETSCOPE_CAPTURE_ROTATE_MINUTES: z.coerce.number({ error: "must be a number" }).min(0.1, "must be at least 0.1").max(24 * 60).default(10),
  FLEETSCOPE_BROKER_PERSISTENCE: z.enum(["sqlite", "memory"], { error: "must be sqlite or memory" }).default("sqlite"),
  MQTT_BROWSER_USERNAME: z.string().optional(),
  MQTT_BROWSER_PASSWORD: z.string().optional(),
  FLEETSCOPE_AUTH: onOff.default("on"),
  FLEETSCOPE_ADMIN_PASSWORD: passwordSchema.optional(),
  FLEETSCOPE_DEVICE_CREDENTIALS: z.string().optional(),
  FLEETSCOPE_CONVENTIONS: z.string().optional(),
  FLEETSCOPE_ANONYMOUS_DEVICES: onOff.default("off"),
  FLEETSCOPE_TRUSTED_PROXIES: z
    .string()
    .refine((s) => s.split(",").every((a) => isIP(a.trim()) !== 0), "must be IP addresses, comma-separated: the reverse proxies in front of Fleetscope")
    .optional(),
  FLEETSCOPE_ALERT_WEBHOOKS: webhookUrls.optional(),
  FLEETSCOPE_ALERT_WEBHOOK_SECRET: z.string().optional(),
  FLEETSCOPE_ALERT_GROUP_WAIT: duration.optional(),
  FLEETSCOPE_ALERT_GROUP_INTERVAL: duration.optional(),
  FLEETSCOPE_ALERT_GROUP_REPEAT: duration.optional(),
  LOG_LEVEL: logLevel,
  MQTT_TLS_PORT: z.union([z.literal("off"), port], { error: "must be a port (0..65535) or off" }).default(8883),
  MQTT_TLS_CERT: readableFile.optional(),
  MQTT_TLS_KEY: readableFile.optional(),
  MQTT_TLS_CA: readableFile.optional(),
  HTTPS_CERT: readableFile.optional(),
  HTTPS_KEY: readableFile.optional(),
  FLEETSCOPE_SMTP_URL: smtpUrl.optional(),
  FLEETSCOPE_ALERT_EMAIL_TO: emailList.optional(),
  FLEETSCOPE_ALERT_EMAIL_FROM: emailFrom.optional(),
  FLEETSCOPE_SESSION_HOURS: z.coerce.number({ error: "must be a number" }).min(0.01, "must be more than 0").max(24 * 90, "must be at most 2160 (90 days)").default(12),
});

export interface Config {
  port: number;
  /** Unset means: start the embedded broker. */
  mqttUrl: string | undefined;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  mqttTcpPort: number;
  /** Unset means: browsers use `/mqtt` on the page's own origin. */
  mqttWsUrl: string | undefined;
  databaseUrl: string;
  simDevices: number;
  /** Shares of commands the demo arms fail, and of replies they lose. */
  simFaults: { failures: number; lostReplies: number };
  bridge: boolean;
  /** The bridge's MQTT client id: its persistent session, and its spool file. */
  bridgeId: string;
  /** Bridges in one group share the stream (`$share/<group>/#`), each message going to one. */
  bridgeGroup: string | undefined;
  /** Days of data kept; 0 keeps everything. */
  retentionDays: number;
  /** With an external broker, the account logged-in browsers get for MQTT_WS_URL. */
  mqttBrowserUsername: string | undefined;
  mqttBrowserPassword: string | undefined;
  /** Off only for a trusted single-user lab: everyone is an admin, and the UI says so. */
  auth: boolean;
  /** Creates the `admin` user on a first start with no users. */
  adminPassword: string | undefined;
  /** Devices allowed on the embedded broker, `[id, password]`. */
  deviceCredentials: DeviceCredentialEntry[];
  /** A user's own device conventions (FLEETSCOPE_CONVENTIONS), beside the built-in ones. */
  conventionRules: Rule[];
  /** Clients without credentials may connect to the embedded broker (confined by access-rules.ts). */
  anonymousDevices: boolean;
  /** How long a login lasts. */
  sessionTtlMs: number;
  /** Reverse proxies whose X-Forwarded-For names the client (lib/auth/peer.ts), normalized. */
  trustedProxies: ReadonlySet<string>;
  /** An imported capture larger than this is refused (413). */
  captureMaxBytes: number;
  /** Where imported captures and their decoded packets are kept: beside a SQLite file, else ./data/captures. */
  captureDir: string;
  /** Set: `npm start` captures this interface live, as `npm run capture` does. */
  captureInterface: string | undefined;
  /** The tcpdump filter of that live capture. */
  captureFilter: string | undefined;
  /** That live capture is saved as a new capture this often. */
  captureRotateMs: number;
  /** Which server ports carry MQTT in a capture (lib/config/capture-ports.ts). */
  capturePorts: CapturePorts;
  /** How the embedded broker keeps retained messages, sessions and queues: a SQLite file, or memory only. */
  brokerPersistence: "sqlite" | "memory";
  /** The embedded broker's SQLite file: the store's SQLite file's name with `-broker` (else ./data/broker.db). */
  brokerPersistenceFile: string;
  /** Receivers every alert notification is POSTed to, in Alertmanager's webhook format (lib/alerts/webhook.ts). */
  alertWebhooks: string[];
  /** Set: each POST carries an HMAC-SHA256 signature of its body (lib/alerts/signature.ts). */
  alertWebhookSecret: string | undefined;
  /** How notifications are grouped and repeated (lib/alerts/grouping.ts; its defaults unless set). */
  alertGrouping: GroupingOptions;
  /** LOG_LEVEL: the least severe level logged. */
  logLevel: LogLevel;
  /**
   * The embedded broker's TLS listener (null: MQTT_TLS_PORT=off). Without `certFile` and `keyFile`
   * a self-signed certificate is made in `dir` on first start and kept there.
   */
  mqttTls: { port: number; certFile: string | undefined; keyFile: string | undefined; caFile: string | undefined; dir: string } | null;
  /** Set: the HTTP server speaks HTTPS (and browsers reach `/mqtt` over wss://). */
  https: { certFile: string; keyFile: string } | null;
  /** Set only when SMTP is configured: alert notifications are mailed too (lib/alerting/email.ts). */
  alertEmail: { smtpUrl: string; to: string[]; from: string } | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

/** Never echoed in an error: start-up output ends up in logs. */
const SECRETS = new Set(["MQTT_PASSWORD", "MQTT_BROWSER_PASSWORD", "FLEETSCOPE_ADMIN_PASSWORD", "FLEETSCOPE_DEVICE_CREDENTIALS", "FLEETSCOPE_ALERT_WEBHOOK_SECRET", "FLEETSCOPE_SMTP_URL"]);

/** Empty strings count as unset, as in most .env files. */
function withoutEmpty(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(withoutEmpty(env));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const value = SECRETS.has(variable) ? undefined : env[variable];
    throw new ConfigError(variable, `${issue.message}${value === undefined ? "" : ` (got ${JSON.stringify(value)})`}`);
  }
  const e = result.data;
  let deviceCredentials: DeviceCredentialEntry[] = [];
  if (e.FLEETSCOPE_DEVICE_CREDENTIALS) {
    try {
      deviceCredentials = readDeviceCredentials(e.FLEETSCOPE_DEVICE_CREDENTIALS);
    } catch (err) {
      // The message names an entry by number and id, never a password.
      throw new ConfigError("FLEETSCOPE_DEVICE_CREDENTIALS", err instanceof Error ? err.message : String(err));
    }
  }
  for (const [a, b] of [["MQTT_TLS_CERT", "MQTT_TLS_KEY"], ["HTTPS_CERT", "HTTPS_KEY"]] as const) {
    const missing = e[a] && !e[b] ? b : e[b] && !e[a] ? a : null;
    if (missing) throw new ConfigError(missing, `must be set too when ${missing === a ? b : a} is: a certificate goes with its private key`);
  }
  let capturePorts: CapturePorts;
  try {
    capturePorts = parseCapturePorts(e.FLEETSCOPE_CAPTURE_PORTS);
  } catch (err) {
    throw new ConfigError("FLEETSCOPE_CAPTURE_PORTS", err instanceof Error ? err.message : String(err));
  }
  let conventionRules: Rule[] = [];
  if (e.FLEETSCOPE_CONVENTIONS) {
    try {
      conventionRules = readConventionRules(e.FLEETSCOPE_CONVENTIONS);
    } catch (err) {
      throw new ConfigError("FLEETSCOPE_CONVENTIONS", err instanceof Error ? err.message : String(err));
    }
  }
  if (e.FLEETSCOPE_SMTP_URL && !e.FLEETSCOPE_ALERT_EMAIL_TO) throw new ConfigError("FLEETSCOPE_ALERT_EMAIL_TO", "must be set when FLEETSCOPE_SMTP_URL is: who alert emails go to");
  if (!e.FLEETSCOPE_SMTP_URL && (e.FLEETSCOPE_ALERT_EMAIL_TO || e.FLEETSCOPE_ALERT_EMAIL_FROM)) throw new ConfigError("FLEETSCOPE_SMTP_URL", "must be set for alert email: the SMTP server they are sent through");
  return {
    port: e.PORT,
    mqttUrl: e.MQTT_URL,
    mqttUsername: e.MQTT_USERNAME,
    mqttPassword: e.MQTT_PASSWORD,
    mqttTcpPort: e.MQTT_TCP_PORT,
    mqttWsUrl: e.MQTT_WS_URL ?? (e.MQTT_URL && /^wss?:/.test(e.MQTT_URL) ? e.MQTT_URL : undefined),
    databaseUrl: e.DATABASE_URL,
    simDevices: e.FLEETSCOPE_SIM_DEVICES ?? (e.MQTT_URL ? 0 : 12),
    simFaults: { failures: e.FLEETSCOPE_SIM_FAILURES, lostReplies: e.FLEETSCOPE_SIM_LOST_REPLIES },
    bridge: e.FLEETSCOPE_BRIDGE === "on",
    bridgeId: e.FLEETSCOPE_BRIDGE_ID,
    bridgeGroup: e.FLEETSCOPE_BRIDGE_GROUP,
    retentionDays: e.FLEETSCOPE_RETENTION_DAYS,
    mqttBrowserUsername: e.MQTT_BROWSER_USERNAME,
    mqttBrowserPassword: e.MQTT_BROWSER_PASSWORD,
    auth: e.FLEETSCOPE_AUTH === "on",
    adminPassword: e.FLEETSCOPE_ADMIN_PASSWORD,
    deviceCredentials,
    conventionRules,
    anonymousDevices: e.FLEETSCOPE_ANONYMOUS_DEVICES === "on",
    sessionTtlMs: Math.round(e.FLEETSCOPE_SESSION_HOURS * 3_600_000),
    trustedProxies: new Set(e.FLEETSCOPE_TRUSTED_PROXIES?.split(",").map(normalizeAddress) ?? []),
    captureMaxBytes: e.FLEETSCOPE_CAPTURE_MAX_MB * 1024 * 1024,
    captureDir: e.FLEETSCOPE_CAPTURE_DIR ?? `${dataDir(e.DATABASE_URL)}/captures`,
    captureInterface: e.FLEETSCOPE_CAPTURE_INTERFACE,
    captureFilter: e.FLEETSCOPE_CAPTURE_FILTER,
    captureRotateMs: Math.round(e.FLEETSCOPE_CAPTURE_ROTATE_MINUTES * 60_000),
    capturePorts,
    brokerPersistence: e.FLEETSCOPE_BROKER_PERSISTENCE,
    brokerPersistenceFile: brokerFile(e.DATABASE_URL),
    alertWebhooks: e.FLEETSCOPE_ALERT_WEBHOOKS ?? [],
    alertWebhookSecret: e.FLEETSCOPE_ALERT_WEBHOOK_SECRET,
    alertGrouping: {
      ...DEFAULT_GROUPING,
      groupWaitMs: e.FLEETSCOPE_ALERT_GROUP_WAIT ?? DEFAULT_GROUPING.groupWaitMs,
      groupIntervalMs: e.FLEETSCOPE_ALERT_GROUP_INTERVAL ?? DEFAULT_GROUPING.groupIntervalMs,
      repeatIntervalMs: e.FLEETSCOPE_ALERT_GROUP_REPEAT ?? DEFAULT_GROUPING.repeatIntervalMs,
    },
    logLevel: e.LOG_LEVEL,
    mqttTls:
      e.MQTT_TLS_PORT === "off"
        ? null
        : { port: e.MQTT_TLS_PORT, certFile: e.MQTT_TLS_CERT, keyFile: e.MQTT_TLS_KEY, caFile: e.MQTT_TLS_CA, dir: `${dataDir(e.DATABASE_URL)}/tls` },
    https: e.HTTPS_CERT && e.HTTPS_KEY ? { certFile: e.HTTPS_CERT, keyFile: e.HTTPS_KEY } : null,
    alertEmail: e.FLEETSCOPE_SMTP_URL && e.FLEETSCOPE_ALERT_EMAIL_TO ? { smtpUrl: e.FLEETSCOPE_SMTP_URL, to: e.FLEETSCOPE_ALERT_EMAIL_TO, from: e.FLEETSCOPE_ALERT_EMAIL_FROM ?? DEFAULT_ALERT_EMAIL_FROM } : null,
  };
}

/** `x.db` → `x-broker.db`, beside it: each store (two servers may share a folder) its own broker file. */
function brokerFile(databaseUrl: string): string {
  const file = /^file:(.+)$/.exec(databaseUrl)?.[1];
  if (!file || file === ":memory:") return "data/broker.db";
  return file.replace(/(\.[A-Za-z0-9]+)?$/, (ext) => `-broker${ext || ".db"}`);
}

/** The SQLite file's folder (so a test's own database gets its own files beside it), else ./data. */
function dataDir(databaseUrl: string): string {
  const file = /^file:(.+)$/.exec(databaseUrl)?.[1];
  if (!file || file === ":memory:") return "data";
  const slash = file.lastIndexOf("/");
  return slash >= 0 ? file.slice(0, slash) : ".";
}

/** What the bridge subscribes to: everything, or its group's share of everything. */
export const bridgeFilter = (c: Pick<Config, "bridgeGroup">) => (c.bridgeGroup ? `$share/${c.bridgeGroup}/#` : "#");
