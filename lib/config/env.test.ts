import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, DEFAULT_ALERT_EMAIL_FROM, parseConfig } from "./env";

describe("parseConfig", () => {
  it("gives the documented defaults", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 3000, mqttUrl: undefined, mqttTcpPort: 1883, databaseUrl: "file:./data/fleetscope.db", simDevices: 12, bridge: true });
  });

  it("keeps captures and the embedded broker's file beside the SQLite store, each store its own broker file", () => {
    const c = parseConfig({ DATABASE_URL: "file:/tmp/e2e/lab.db" });
    expect(c.captureDir).toBe("/tmp/e2e/captures");
    expect(c.brokerPersistenceFile).toBe("/tmp/e2e/lab-broker.db");
    expect(parseConfig({}).brokerPersistenceFile).toBe("./data/fleetscope-broker.db");
    expect(parseConfig({ DATABASE_URL: "file:store" }).brokerPersistenceFile).toBe("store-broker.db");
    expect(parseConfig({ DATABASE_URL: "postgres://localhost/fleet" }).brokerPersistenceFile).toBe("data/broker.db");
    expect(parseConfig({}).brokerPersistence).toBe("sqlite");
    expect(() => parseConfig({ FLEETSCOPE_BROKER_PERSISTENCE: "redis" })).toThrow(/FLEETSCOPE_BROKER_PERSISTENCE/);
    expect(() => parseConfig({ FLEETSCOPE_CAPTURE_PORTS: "1883,http" })).toThrow(/FLEETSCOPE_CAPTURE_PORTS.*"http" is not a port/);
    expect(() => parseConfig({ FLEETSCOPE_CAPTURE_INTERFACE: "-w /etc/x" })).toThrow(/FLEETSCOPE_CAPTURE_INTERFACE/);
  });

  it("logs at info unless LOG_LEVEL names another of pino's levels", () => {
    expect(parseConfig({}).logLevel).toBe("info");
    expect(parseConfig({ LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(() => parseConfig({ LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent \(got "verbose"\)/);
  });

  it("runs no simulated devices against an external broker unless asked", () => {
    expect(parseConfig({ MQTT_URL: "mqtt://broker:1883" }).simDevices).toBe(0);
    expect(parseConfig({ MQTT_URL: "mqtt://broker:1883", FLEETSCOPE_SIM_DEVICES: "3" }).simDevices).toBe(3);
  });

  it("lets browsers use a ws:// MQTT_URL directly", () => {
    expect(parseConfig({ MQTT_URL: "ws://broker:9001/mqtt" }).mqttWsUrl).toBe("ws://broker:9001/mqtt");
    expect(parseConfig({ MQTT_URL: "mqtt://broker" }).mqttWsUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ MQTT_URL: "http://x" }, "MQTT_URL"],
    [{ FLEETSCOPE_BRIDGE: "maybe" }, "FLEETSCOPE_BRIDGE"],
    [{ MQTT_TCP_PORT: "1.5" }, "MQTT_TCP_PORT"],
    [{ FLEETSCOPE_AUTH: "no" }, "FLEETSCOPE_AUTH"],
    [{ FLEETSCOPE_SESSION_HOURS: "0" }, "FLEETSCOPE_SESSION_HOURS"],
    [{ FLEETSCOPE_TRUSTED_PROXIES: "10.0.0.2,proxy.local" }, "FLEETSCOPE_TRUSTED_PROXIES"],
    [{ FLEETSCOPE_ALERT_WEBHOOKS: "https://hooks.example/a,ftp://b" }, "FLEETSCOPE_ALERT_WEBHOOKS"],
    [{ FLEETSCOPE_ALERT_GROUP_INTERVAL: "5 minutes" }, "FLEETSCOPE_ALERT_GROUP_INTERVAL"],
  ])("names the wrong variable in %o", (env, variable) => {
    try {
      parseConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).toMatch(new RegExp(`^${variable}: .+got`));
    }
  });

  it("reads alert webhooks as a list, and grouping durations over the planner's defaults", () => {
    expect(parseConfig({})).toMatchObject({ alertWebhooks: [], alertWebhookSecret: undefined, alertGrouping: { groupWaitMs: 0, groupIntervalMs: 30_000, repeatIntervalMs: 4 * 3600_000 } });
    const c = parseConfig({ FLEETSCOPE_ALERT_WEBHOOKS: " http://127.0.0.1:9/hook , https://hooks.example/a?x=1", FLEETSCOPE_ALERT_GROUP_WAIT: "10s", FLEETSCOPE_ALERT_GROUP_REPEAT: "3600000" });
    expect(c.alertWebhooks).toEqual(["http://127.0.0.1:9/hook", "https://hooks.example/a?x=1"]);
    expect(c.alertGrouping).toMatchObject({ groupWaitMs: 10_000, groupIntervalMs: 30_000, repeatIntervalMs: 3_600_000 });
  });

  it("sends alert email only when SMTP is configured, and refuses half an email setup naming what is missing, never echoing the SMTP password", () => {
    expect(parseConfig({}).alertEmail).toBeNull();
    const c = parseConfig({ FLEETSCOPE_SMTP_URL: "smtps://ops:pw@mail.example:465", FLEETSCOPE_ALERT_EMAIL_TO: "a@example.com, b@example.com" });
    expect(c.alertEmail).toEqual({ smtpUrl: "smtps://ops:pw@mail.example:465", to: ["a@example.com", "b@example.com"], from: DEFAULT_ALERT_EMAIL_FROM });
    expect(parseConfig({ FLEETSCOPE_SMTP_URL: "smtp://mail:25", FLEETSCOPE_ALERT_EMAIL_TO: "a@example.com", FLEETSCOPE_ALERT_EMAIL_FROM: "Ops <ops@example.com>" }).alertEmail?.from).toBe("Ops <ops@example.com>");
    const wrong = (env: Record<string, string>) => {
      try {
        parseConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      return "accepted";
    };
    expect(wrong({ FLEETSCOPE_SMTP_URL: "smtp://mail:25" })).toMatch(/^FLEETSCOPE_ALERT_EMAIL_TO: must be set/);
    expect(wrong({ FLEETSCOPE_ALERT_EMAIL_TO: "a@example.com" })).toMatch(/^FLEETSCOPE_SMTP_URL: must be set/);
    expect(wrong({ FLEETSCOPE_SMTP_URL: "smtp://mail:25", FLEETSCOPE_ALERT_EMAIL_TO: "a@example.com,not-an-address" })).toMatch(/^FLEETSCOPE_ALERT_EMAIL_TO: must be email addresses/);
    expect(wrong({ FLEETSCOPE_SMTP_URL: "smtp://mail:25", FLEETSCOPE_ALERT_EMAIL_TO: "a@example.com", FLEETSCOPE_ALERT_EMAIL_FROM: "Ops\r\nBcc: x@y <ops@example.com>" })).toMatch(/^FLEETSCOPE_ALERT_EMAIL_FROM: /);
    const bad = wrong({ FLEETSCOPE_SMTP_URL: "https://ops:hunter2@mail.example" });
    expect(bad).toMatch(/^FLEETSCOPE_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(bad).not.toContain("hunter2");
  });

  it("has authentication on, anonymous devices off and 12-hour sessions by default", () => {
    expect(parseConfig({})).toMatchObject({ auth: true, anonymousDevices: false, deviceCredentials: [], adminPassword: undefined, sessionTtlMs: 12 * 3_600_000 });
    expect(parseConfig({ FLEETSCOPE_AUTH: "off", FLEETSCOPE_ANONYMOUS_DEVICES: "on" })).toMatchObject({ auth: false, anonymousDevices: true });
    expect(parseConfig({ FLEETSCOPE_DEVICE_CREDENTIALS: "arm-01:password1" }).deviceCredentials).toEqual([["arm-01", "password1"]]);
  });

  it.each([
    [{ FLEETSCOPE_ADMIN_PASSWORD: "short" }, "FLEETSCOPE_ADMIN_PASSWORD"],
    [{ FLEETSCOPE_DEVICE_CREDENTIALS: "arm-01:tiny" }, "FLEETSCOPE_DEVICE_CREDENTIALS"],
  ])("names a wrong secret in %o without echoing it", (env, variable) => {
    expect(() => parseConfig(env)).toThrow(new RegExp(`^${variable}: `));
    expect(() => parseConfig(env)).not.toThrow(/short|tiny/);
  });

  it("reads a user's own conventions from FLEETSCOPE_CONVENTIONS, naming the rule and key of what is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "fleetscope-rules-"));
    const good = join(dir, "rules.json");
    writeFileSync(good, JSON.stringify({ rules: [{ name: "plant", pattern: "plant/{site}/{device}/#", fields: [{ topic: "t", path: "$.temp", name: "temp", unit: "°C" }] }] }));
    expect(parseConfig({ FLEETSCOPE_CONVENTIONS: `@${good}` }).conventionRules).toMatchObject([{ name: "plant" }]);
    expect(parseConfig({}).conventionRules).toEqual([]);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ rules: [{ name: "plant", pattern: "plant/{site}/{device}/#", fields: [{ topic: "t", path: "temp", name: "temp" }] }] }));
    expect(() => parseConfig({ FLEETSCOPE_CONVENTIONS: `@${bad}` })).toThrow(/^FLEETSCOPE_CONVENTIONS: .*rule "plant": fields\[0\]\.path/);
    expect(() => parseConfig({ FLEETSCOPE_CONVENTIONS: "@/nonexistent/rules.json" })).toThrow(/^FLEETSCOPE_CONVENTIONS: cannot read/);
    expect(() => parseConfig({ FLEETSCOPE_CONVENTIONS: "{not json" })).toThrow(/^FLEETSCOPE_CONVENTIONS: is not JSON/);
  });

  it("trusts no proxy by default, and the listed ones as one spelling each", () => {
    expect(parseConfig({}).trustedProxies).toEqual(new Set());
    expect(parseConfig({ FLEETSCOPE_TRUSTED_PROXIES: "10.0.0.2, ::ffff:10.0.0.3,FD00::1" }).trustedProxies).toEqual(new Set(["10.0.0.2", "10.0.0.3", "fd00::1"]));
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ PORT: "", MQTT_URL: "" }).port).toBe(3000);
  });
});

describe("redact", () => {
  it("hides a password and keeps the rest", async () => {
    const { redact } = await import("./redact");
    expect(redact("postgres://u:secret@db:5432/x")).toBe("postgres://u:***@db:5432/x");
    expect(redact("mqtt://127.0.0.1:1883")).toBe("mqtt://127.0.0.1:1883");
    expect(redact("file:./data/fleetscope.db")).toBe("file:./data/fleetscope.db");
  });
});
