/**
 * The time-travel routes' handlers on a real SQLite store, called as Next calls them (issue 20):
 * GET /api/snapshot (the fleet and the topic tree as of an instant), GET /api/messages?order=asc
 * (playback), GET /api/export (the window as a streamed JSONL or CSV file). Each needs a session
 * before it reads anything, and bad input answers the documented error shape.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSessionToken, newSessionToken } from "../../lib/auth/session-token";
import { asDeviceId, asEpochMs } from "../../lib/devices/model";
import type { MessageRow, Store } from "../../lib/store/types";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-history-routes-"));
process.env.DATABASE_URL = `file:${join(dir, "routes.db")}`;
process.env.FLEETSCOPE_AUTH = "on";

type Route = Record<string, (req: NextRequest) => Promise<Response>>;
let store: Store;
let snapshot: Route, messages: Route, exporter: Route;
let cookie = "";

const call = (route: Route, path: string, as: "viewer" | null = "viewer") =>
  route.GET!(new NextRequest(`http://localhost:3000${path}`, { headers: { host: "localhost:3000", ...(as ? { cookie } : {}) } }));

async function json(res: Promise<Response>) {
  const r = await res;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const T0 = Date.UTC(2026, 11, 4, 3, 0, 0);
const ARM = asDeviceId("arm-01");
const msg = (ts: number, topic: string, payload: string, extra: Partial<MessageRow> = {}): MessageRow => ({
  ts: asEpochMs(ts), topic, device: ARM, qos: 0, retain: false, dup: false, seq: null, payload: Buffer.from(payload), truncated: false, ident: null, fields: null, ...extra,
});
/** 2,500 telemetry messages a second apart, then the arm goes offline at T0 + 2,500 s. */
const TELEMETRY = Array.from({ length: 2500 }, (_, i) => msg(T0 + i * 1000, "fleet/lab/arm-01/telemetry", JSON.stringify({ seq: i, temp: i / 10 }), { fields: { temp: i / 10 }, seq: i }));
const OFFLINE_AT = T0 + 2_500_000;

beforeAll(async () => {
  store = await (await import("../../lib/http/context")).store();
  await store.users.createUser({ username: "vera", role: "viewer", passwordHash: "unused" }, Date.now());
  const token = newSessionToken();
  await store.users.createSession({ tokenHash: hashSessionToken(token), username: "vera", expiresAt: Date.now() + 600_000 }, Date.now());
  cookie = `fleetscope_session=${token}`;
  await store.append({
    messages: [msg(T0 - 1, "fleet/lab/arm-01/status", "online", { qos: 1, retain: true }), ...TELEMETRY],
    devices: [{ id: ARM, site: "lab", lastSeen: asEpochMs(T0 - 1), status: "online", statusReason: "LWT online", since: asEpochMs(T0 - 1), values: { temp: { value: 249.9, ts: asEpochMs(T0 + 2_499_000) } } }],
  });
  await store.append({
    messages: [msg(OFFLINE_AT, "fleet/lab/arm-01/status", "offline", { qos: 1, retain: true }), msg(OFFLINE_AT + 1, "=cmd(1)", "x", { device: null })],
    devices: [{ id: ARM, site: "lab", lastSeen: asEpochMs(OFFLINE_AT), status: "offline", statusReason: "LWT offline", since: asEpochMs(OFFLINE_AT) }],
  });
  snapshot = (await import("../../app/api/snapshot/route")) as unknown as Route;
  messages = (await import("../../app/api/messages/route")) as unknown as Route;
  exporter = (await import("../../app/api/export/route")) as unknown as Route;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/snapshot", () => {
  it("answers 401 without a session, before reading its query", async () => {
    expect((await call(snapshot, "/api/snapshot?at=nonsense", null)).status).toBe(401);
  });

  it("shows the arm online with its value then, and the topics' last messages and counts then, at an ISO instant", async () => {
    const at = new Date(T0 + 1_000_500).toISOString();
    const r = await json(call(snapshot, `/api/snapshot?at=${encodeURIComponent(at)}`));
    expect(r.status).toBe(200);
    expect(r.body.at).toBe(T0 + 1_000_500);
    expect(r.body.devices).toEqual([
      expect.objectContaining({ id: "arm-01", status: "online", statusReason: "LWT online", since: T0 - 1, lastSeen: T0 + 1_000_000, fields: ["temp"], values: { temp: { value: 100, ts: T0 + 1_000_000 } } }),
    ]);
    expect(r.body.topics).toEqual({
      count: 2,
      items: [
        { ts: T0 - 1, topic: "fleet/lab/arm-01/status", count: 1, qos: 1, retain: true, payload: "online", encoding: "utf8", seq: null, truncated: false },
        { ts: T0 + 1_000_000, topic: "fleet/lab/arm-01/telemetry", count: 1001, qos: 0, retain: false, payload: JSON.stringify({ seq: 1000, temp: 100 }), encoding: "utf8", seq: 1000, truncated: false },
      ],
      next: null,
    });
  });

  it("shows the arm offline with the reason after it went, filters topics and pages them", async () => {
    const first = await json(call(snapshot, `/api/snapshot?at=${OFFLINE_AT + 10}&limit=1`));
    expect(first.body.devices).toMatchObject([{ id: "arm-01", status: "offline", statusReason: "LWT offline", since: OFFLINE_AT }]);
    const topics = first.body.topics as { count: number; items: { topic: string }[]; next: string };
    expect(topics.count).toBe(3);
    expect(topics.items.map((t) => t.topic)).toEqual(["=cmd(1)"]);
    const second = await json(call(snapshot, `/api/snapshot?at=${OFFLINE_AT + 10}&limit=1&cursor=${topics.next}`));
    expect((second.body.topics as { items: { topic: string }[] }).items.map((t) => t.topic)).toEqual(["fleet/lab/arm-01/status"]);
    const filtered = await json(call(snapshot, `/api/snapshot?at=${OFFLINE_AT + 10}&topic=${encodeURIComponent("fleet/+/+/status")}`));
    expect(filtered.body.topics).toMatchObject({ count: 1, items: [{ payload: "offline" }], next: null });
  });

  it("refuses a missing or unreadable instant, a bad filter, limit or cursor with 400 in the error shape", async () => {
    for (const q of ["", "at=yesterday", "at=-5", `at=${T0}&topic=a/%23/b`, `at=${T0}&limit=5000`, `at=${T0}&cursor=nope`, `at=${T0}&extra=1`]) {
      const r = await json(call(snapshot, `/api/snapshot?${q}`));
      expect(r.status, q).toBe(400);
      expect(r.body.error?.code, q).toBe("bad_request");
    }
    expect((await json(call(snapshot, "/api/snapshot"))).body.error?.message).toMatch(/^at: /);
  });
});

describe("GET /api/messages?order=asc", () => {
  it("plays a window oldest first through its cursor, and refuses an unknown order", async () => {
    const seen: number[] = [];
    let next: string | null = null;
    do {
      const r = await json(call(messages, `/api/messages?topic=fleet/%2B/%2B/telemetry&from=${T0 + 10_000}&order=asc&limit=300${next ? `&cursor=${next}` : ""}`));
      seen.push(...(r.body.messages as { seq: number }[]).map((m) => m.seq));
      next = r.body.next as string | null;
    } while (next);
    expect(seen).toEqual(Array.from({ length: 2490 }, (_, i) => i + 10));
    const bad = await json(call(messages, "/api/messages?order=up"));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^order: /);
  });
});

describe("GET /api/export", () => {
  it("streams the window's raw messages as JSONL, in pages, with a filename and an estimate", async () => {
    const res = await call(exporter, `/api/export?from=${T0}&to=${OFFLINE_AT}&topic=fleet/%23`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="fleetscope-20261204T030000Z-20261204T034140Z.jsonl"');
    expect(res.headers.get("x-fleetscope-export-estimate")).toBe("2501");
    // Read as a client does: the body arrives in several chunks, a store page each.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let chunks = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks++;
      text += decoder.decode(r.value, { stream: true });
    }
    expect(chunks).toBeGreaterThanOrEqual(3);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as { ts: number; topic: string; qos: number; retain: boolean; payload: string; encoding: string });
    expect(lines).toHaveLength(2501);
    expect(lines[0]).toEqual({ ts: T0, topic: "fleet/lab/arm-01/telemetry", qos: 0, retain: false, payload: JSON.stringify({ seq: 0, temp: 0 }), encoding: "utf8" });
    expect(lines[2500]).toEqual({ ts: OFFLINE_AT, topic: "fleet/lab/arm-01/status", qos: 1, retain: true, payload: "offline", encoding: "utf8" });
    expect(lines.every((l, i) => i === 0 || l.ts >= lines[i - 1]!.ts)).toBe(true);
  });

  it("exports the series as CSV, one row per sample, the messages without samples left out", async () => {
    const res = await call(exporter, `/api/export?from=${new Date(T0).toISOString()}&to=${T0 + 2000}&format=csv`);
    expect(res.headers.get("content-disposition")).toMatch(/filename="fleetscope-.*\.csv"/);
    expect(await res.text()).toBe(
      "ts,time,device,topic,field,value\n" +
        [0, 1, 2].map((i) => `${T0 + i * 1000},${new Date(T0 + i * 1000).toISOString()},arm-01,fleet/lab/arm-01/telemetry,temp,${i / 10}\n`).join(""),
    );
  });

  it("refuses a window without both ends, one backwards, or an unknown format with 400", async () => {
    for (const q of [`from=${T0}`, `from=${T0 + 1}&to=${T0}`, `from=${T0}&to=${T0 + 1}&format=xlsx`, `from=${T0}&to=${T0 + 1}&topic=%23/a`]) {
      const r = await json(call(exporter, `/api/export?${q}`));
      expect(r.status, q).toBe(400);
      expect(r.body.error?.code, q).toBe("bad_request");
    }
    expect((await call(exporter, `/api/export?from=${T0}&to=${T0 + 1}`, null)).status).toBe(401);
  });
});
