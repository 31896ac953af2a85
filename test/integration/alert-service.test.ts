/**
 * The alert service on a real SQLite store and a real webhook receiver, fed as the bridge feeds
 * it (`decoded` events): one of two servers evaluates, the other takes over from the stored
 * state when it stops, and a webhook that fails is retried with backoff and logged.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GROUPING } from "../../lib/alerts/grouping";
import { alertRuleSchema } from "../../lib/alerts/rule";
import { AlertService } from "../../lib/alerting/service";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { telemetry } from "../helpers/alert-feed";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-alert-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A receiver answering each POST with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []) {
  const posts: string[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      posts.push(body);
      res.writeHead(statuses.shift() ?? 200).end("busy");
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts,
    async count(k: number) {
      while (posts.length < k) await new Promise<void>((r) => waiters.push(r));
    },
    stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("the alert service", () => {
  let store: SqliteStore;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const services: AlertService[] = [];

  beforeEach(async () => {
    store = new SqliteStore(join(dir, `service-${n++}.db`));
    const rule = alertRuleSchema.parse({ id: "hot", name: "Hot", kind: "threshold", field: "temp", op: "above", value: 80, severity: "critical" });
    await store.alerts.saveRule({ id: "hot", body: JSON.stringify(rule), createdAt: 1, createdBy: "t", updatedAt: 1, updatedBy: "t" });
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await hook.stop();
    await store.close();
  });

  const start = async (holder: string, source: EventEmitter) => {
    const s = new AlertService({
      store: store.alerts, devices: () => store.listDevices(), holder, webhooks: [hook.url], externalURL: "http://x",
      grouping: { ...DEFAULT_GROUPING, groupIntervalMs: 50 }, flushMs: 5, leaseTtlMs: 600, leaseRenewMs: 50,
    }).watchBridge(source);
    services.push(s);
    await s.start();
    return s;
  };

  it("is evaluated by one of two servers, and the other takes over from the stored state without sending again", async () => {
    hook = await receiver();
    const a = new EventEmitter();
    const b = new EventEmitter();
    const first = await start("server-a", a);
    const second = await start("server-b", b);
    expect([first.isHolder, second.isHolder]).toEqual([true, false]);
    // Both bridges share the stream here; only the holder evaluates.
    telemetry(a, "arm-01", 95);
    telemetry(b, "arm-01", 95);
    await hook.count(1);
    await first.idle();
    expect(second.state("hot", "arm-01")).toBeUndefined();
    expect(first.status().counts).toEqual([{ state: "firing", severity: "critical", count: 1 }]);

    const tookOver = new Promise<string>((r) => second.once("role", r));
    await first.stop();
    expect(await tookOver).toBe("holder");
    expect(second.state("hot", "arm-01")?.status).toBe("firing");
    telemetry(b, "arm-01", 60);
    await hook.count(2);
    await second.idle();
    expect(hook.posts.map((p) => (JSON.parse(p) as { status: string }).status)).toEqual(["firing", "resolved"]);
    expect((await store.alerts.listAlerts({ limit: 10 })).alerts.map((x) => x.state)).toEqual(["resolved"]);
  });

  it("retries a webhook that fails, with backoff, and logs each attempt", async () => {
    hook = await receiver([500]);
    const source = new EventEmitter();
    const s = await start("server-a", source);
    const attempts: string[] = [];
    const delivered = new Promise<void>((resolve) =>
      s.on("delivery", (outcome) => {
        attempts.push(outcome);
        if (outcome === "delivered") resolve();
      }),
    );
    telemetry(source, "arm-02", 99);
    await delivered;
    expect(attempts).toEqual(["retry", "delivered"]);
    const [log] = await store.alerts.listDeliveries({ limit: 10 });
    expect(log).toMatchObject({ state: "delivered", attempts: 2, status: "200", lastError: "HTTP 500: busy" });
    expect(log!.deliveredAt! - log!.createdAt).toBeGreaterThanOrEqual(1000);
    expect(s.status().notifications).toEqual({ delivered: 1, retry: 1, failed: 0 });
  });
});
