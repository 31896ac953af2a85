/**
 * Alert email against a local SMTP server the test starts (the smtp-server package, on a free
 * port, with a login): the alert service on a real SQLite store, fed as the bridge feeds it,
 * mails a firing and a resolve with the right subject and plain-text content; sends no mail when
 * SMTP is not configured; and retries a mail the server refused at first, logging both attempts.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GROUPING } from "../../lib/alerts/grouping";
import { alertRuleSchema } from "../../lib/alerts/rule";
import { AlertService } from "../../lib/alerting/service";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { telemetry } from "../helpers/alert-feed";
import { WebhookReceiver } from "../helpers/webhook-receiver";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-alert-email-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const USER = "alerts";
const PASSWORD = "smtp-password";
const TO = ["oncall@example.com", "lead@example.com"];
let n = 0;

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server that wants a login; refuses the first `refuse` messages with a 451. */
async function smtp(refuse = 0) {
  const mails: Mail[] = [];
  const waiters: (() => void)[] = [];
  let sessions = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onConnect: (_s, cb) => (sessions++, cb()),
    onAuth: (auth, _s, cb) => (auth.username === USER && auth.password === PASSWORD ? cb(null, { user: USER }) : cb(new Error("wrong login"))),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refuse > 0) {
          refuse--;
          return cb(Object.assign(new Error("try again later"), { responseCode: 451 }));
        }
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        cb();
        for (const w of waiters.splice(0)) w();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    mails,
    sessions: () => sessions,
    async count(k: number) {
      while (mails.length < k) await new Promise<void>((r) => waiters.push(r));
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The header's value, unfolded. */
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, "mi").exec(raw)?.[1]?.replace(/\r\n[ \t]/g, " ") ?? null;
/** The text body as written: quoted-printable decoded when the mail was sent so. */
function body(raw: string): string {
  const text = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  if (!/^Content-Transfer-Encoding: quoted-printable/im.test(raw)) return text.replace(/\r\n/g, "\n");
  return text
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\r\n/g, "\n");
}

describe("alert email", () => {
  let store: SqliteStore;
  const services: AlertService[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    store = new SqliteStore(join(dir, `email-${n++}.db`));
    const rule = alertRuleSchema.parse({ id: "hot", name: "Hot motor", kind: "threshold", field: "temp", op: "above", value: 80, clear: 70, severity: "critical", annotations: { summary: "motor temperature too high" } });
    await store.alerts.saveRule({ id: "hot", body: JSON.stringify(rule), createdAt: 1, createdBy: "t", updatedAt: 1, updatedBy: "t" });
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    for (const stop of stops.splice(0)) await stop();
    await store.close();
  });

  const start = async (source: EventEmitter, opts: Partial<ConstructorParameters<typeof AlertService>[0]>) => {
    const s = new AlertService({
      store: store.alerts, devices: () => store.listDevices(), holder: "email-test", externalURL: "http://fleetscope.test",
      grouping: { ...DEFAULT_GROUPING, groupIntervalMs: 50 }, flushMs: 5, ...opts,
    }).watchBridge(source);
    services.push(s);
    await s.start();
    return s;
  };

  it("mails a firing and then a resolve, grouped as the webhooks, with the subject and plain-text content an operator reads", async () => {
    const mail = await smtp();
    stops.push(mail.stop);
    const source = new EventEmitter();
    const s = await start(source, { email: { smtpUrl: mail.url, to: TO, from: "Fleetscope <alerts@example.com>" } });
    telemetry(source, "arm-01", 91.5);
    await mail.count(1);
    telemetry(source, "arm-01", 65);
    await mail.count(2);
    const [firing, resolved] = mail.mails;
    expect(firing).toMatchObject({ from: "alerts@example.com", to: TO });
    expect(header(firing!.raw, "Subject")).toBe("[FIRING:1] Hot motor arm-01");
    expect(header(firing!.raw, "To")).toBe(TO.join(", "));
    expect(header(firing!.raw, "Content-Type")).toMatch(/^text\/plain/);
    const text = body(firing!.raw);
    expect(text).toContain("[FIRING] Hot motor on arm-01 (critical)");
    expect(text).toContain("summary: motor temperature too high");
    expect(text).toContain("Fleetscope: http://fleetscope.test/alerts");
    expect(header(resolved!.raw, "Subject")).toBe("[RESOLVED] Hot motor arm-01");
    expect(body(resolved!.raw)).toMatch(/\[RESOLVED\] Hot motor on arm-01 \(critical\)\n {2}since: .+\n {2}ended: /);
    // The log is written once the server has answered.
    await s.idle();
    const log = await store.alerts.listDeliveries({ limit: 10 });
    expect(log.map((d) => [d.receiver, d.state])).toEqual([[`mailto:${TO.join(",")}`, "delivered"], [`mailto:${TO.join(",")}`, "delivered"]]);
    expect(log[0]!.status).toMatch(/^250/);
  });

  it("sends no mail when SMTP is not configured", async () => {
    const mail = await smtp();
    const hook = new WebhookReceiver();
    await hook.start();
    stops.push(mail.stop, () => hook.stop());
    const source = new EventEmitter();
    const s = await start(source, { webhooks: [hook.url] });
    telemetry(source, "arm-02", 95);
    await hook.count(1);
    await s.idle();
    expect((await store.alerts.listDeliveries({ limit: 10 })).map((d) => d.receiver)).toEqual([hook.url]);
    expect(mail.sessions()).toBe(0);
  });

  it("retries a mail the SMTP server refused, with backoff, and logs both attempts", async () => {
    const mail = await smtp(1);
    stops.push(mail.stop);
    const source = new EventEmitter();
    const s = await start(source, { email: { smtpUrl: mail.url, to: TO, from: "alerts@example.com" } });
    const attempts: string[] = [];
    const delivered = new Promise<void>((resolve) =>
      s.on("delivery", (outcome) => {
        attempts.push(outcome);
        if (outcome === "delivered") resolve();
      }),
    );
    telemetry(source, "arm-03", 99);
    await delivered;
    expect(attempts).toEqual(["retry", "delivered"]);
    expect(mail.mails).toHaveLength(1);
    expect(header(mail.mails[0]!.raw, "Subject")).toBe("[FIRING:1] Hot motor arm-03");
    const [log] = await store.alerts.listDeliveries({ limit: 10 });
    expect(log).toMatchObject({ state: "delivered", attempts: 2 });
    expect(log!.lastError).toMatch(/451/);
    expect(log!.deliveredAt! - log!.createdAt).toBeGreaterThanOrEqual(1000);
    expect(s.status().notifications).toEqual({ delivered: 1, retry: 1, failed: 0 });
  });
});
