/**
 * The alert API's route handlers on a real SQLite store, called as Next calls them: who may do
 * what (a viewer's write is a 403 before anything is looked up or validated), the documented
 * error shape, the shapes answered, and the audit trail each change leaves.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSessionToken, newSessionToken } from "../../lib/auth/session-token";
import { decodeMessage } from "../../lib/bridge/decode";
import { BUILT_IN_CONVENTIONS } from "../../lib/devices/builtin";
import { asEpochMs } from "../../lib/devices/model";
import { Interpreter } from "../../lib/devices/registry";
import type { Store } from "../../lib/store/types";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-alert-routes-"));
process.env.DATABASE_URL = `file:${join(dir, "routes.db")}`;
process.env.FLEETSCOPE_AUTH = "on";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = Record<string, Handler>;
let store: Store;
let rules: Route, preview: Route, rule: Route, alerts: Route, alert: Route, ack: Route, silences: Route, silence: Route;
const cookies: Record<string, string> = {};

function call(route: Route, method: string, path: string, opts: { as?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { host: "localhost:3000" };
  if (opts.as) headers.cookie = cookies[opts.as]!;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const req = new NextRequest(`http://localhost:3000${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return route[method]!(req, { params: Promise.resolve(opts.params ?? {}) });
}

async function json(res: Response | Promise<Response>) {
  const r = await res;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const threshold = { name: "Hot motor", kind: "threshold", field: "temp", op: "above", value: 80, clear: 70, forMs: "10s", severity: "major" };

beforeAll(async () => {
  store = await (await import("../../lib/http/context")).store();
  for (const [username, role] of [["vera", "viewer"], ["otto", "operator"], ["ada", "admin"]] as const) {
    await store.users.createUser({ username, role, passwordHash: "unused" }, Date.now());
    const token = newSessionToken();
    await store.users.createSession({ tokenHash: hashSessionToken(token), username, expiresAt: Date.now() + 600_000 }, Date.now());
    cookies[username] = `fleetscope_session=${token}`;
  }
  rules = (await import("../../app/api/alert-rules/route")) as unknown as Route;
  rule = (await import("../../app/api/alert-rules/[id]/route")) as unknown as Route;
  preview = (await import("../../app/api/alert-rules/preview/route")) as unknown as Route;
  alerts = (await import("../../app/api/alerts/route")) as unknown as Route;
  alert = (await import("../../app/api/alerts/[id]/route")) as unknown as Route;
  ack = (await import("../../app/api/alerts/[id]/ack/route")) as unknown as Route;
  silences = (await import("../../app/api/silences/route")) as unknown as Route;
  silence = (await import("../../app/api/silences/[id]/route")) as unknown as Route;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("alert routes", () => {
  it("refuses a viewer's and an operator's rule changes with 403 before looking anything up, and the unauthenticated with 401", async () => {
    const viewer = await json(call(rules, "POST", "/api/alert-rules", { as: "vera", body: { nonsense: true } }));
    expect(viewer.status).toBe(403);
    expect(viewer.body.error).toMatchObject({ code: "forbidden" });
    expect((await call(rule, "PATCH", "/api/alert-rules/no-such-rule", { as: "otto", body: {}, params: { id: "no-such-rule" } })).status).toBe(403);
    expect((await call(rule, "DELETE", "/api/alert-rules/no-such-rule", { as: "vera", params: { id: "no-such-rule" } })).status).toBe(403);
    expect((await call(rules, "GET", "/api/alert-rules")).status).toBe(401);
    expect((await call(ack, "POST", "/api/alerts/nope/ack", { as: "vera", body: {}, params: { id: "nope" } })).status).toBe(403);
    expect((await call(silences, "POST", "/api/silences", { as: "vera", body: {} })).status).toBe(403);
    expect((await call(silence, "DELETE", "/api/silences/nope", { as: "vera", params: { id: "nope" } })).status).toBe(403);
  });

  it("creates, lists, patches and deletes a rule as an admin, each change audited", async () => {
    const created = await json(call(rules, "POST", "/api/alert-rules", { as: "ada", body: threshold }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^hot-motor-[0-9a-f]{8}$/);
    expect(created.body).toMatchObject({ ...threshold, forMs: 10_000, keepFiringForMs: 0, createdBy: "ada", updatedBy: "ada" });

    const bad = await json(call(rules, "POST", "/api/alert-rules", { as: "ada", body: { ...threshold, treshold: 1 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/treshold/);

    const listed = await json(call(rules, "GET", "/api/alert-rules", { as: "vera" }));
    expect((listed.body.rules as { id: string }[]).map((r) => r.id)).toEqual([id]);

    const patched = await json(call(rule, "PATCH", `/api/alert-rules/${id}`, { as: "ada", body: { value: 90, clear: null }, params: { id } }));
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, value: 90 });
    expect(patched.body.clear).toBeUndefined();
    const wrongKind = await json(call(rule, "PATCH", `/api/alert-rules/${id}`, { as: "ada", body: { kind: "offline" }, params: { id } }));
    expect(wrongKind.status).toBe(400);
    expect((await call(rule, "PATCH", `/api/alert-rules/${id}`, { as: "ada", body: { id: "other" }, params: { id } })).status).toBe(400);

    const one = await json(call(rule, "GET", `/api/alert-rules/${id}`, { as: "vera", params: { id } }));
    expect((one.body.changes as { action: string }[]).map((c) => c.action)).toEqual(["rule.updated", "rule.created"]);

    expect(await json(call(rule, "DELETE", `/api/alert-rules/${id}`, { as: "ada", params: { id } }))).toEqual({ status: 200, body: { deleted: id } });
    const again = await json(call(rule, "DELETE", `/api/alert-rules/${id}`, { as: "ada", params: { id } }));
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ code: "not_found" });
    expect((await store.alerts.listAudit({ target: `rule:${id}`, limit: 10 })).map((e) => [e.action, e.actor])).toEqual([["rule.deleted", "ada"], ["rule.updated", "ada"], ["rule.created", "ada"]]);
  });

  it("lists alerts newest first with filters, shows one with its transitions and deliveries, and acknowledges an open one", async () => {
    const rec = (id: string, state: string, startedAt: number) => ({ id, rule: "r1", device: "arm-01", state, severity: "major", startedAt, endedAt: state === "resolved" ? startedAt + 5 : null, lastValue: "85.5", ack: null, updatedAt: startedAt });
    await store.alerts.upsertAlert(rec("a-old", "resolved", 1000));
    await store.alerts.upsertAlert(rec("a-new", "firing", 2000));
    await store.alerts.appendTransitions([{ rule: "r1", device: "arm-01", from: "normal", to: "firing", at: 2000, reason: "temp 85.5 above 80", value: "85.5", episode: "a-new" }]);

    const all = await json(call(alerts, "GET", "/api/alerts", { as: "vera" }));
    expect((all.body.alerts as { id: string }[]).map((a) => a.id)).toEqual(["a-new", "a-old"]);
    expect((all.body.alerts as object[])[0]).toEqual({ id: "a-new", rule: "r1", ruleName: "r1", device: "arm-01", state: "firing", severity: "major", startedAt: 2000, endedAt: null, value: 85.5, ack: null, silenced: false });
    const firing = await json(call(alerts, "GET", "/api/alerts?state=firing,firing_no_data&transitions=true", { as: "vera" }));
    expect(firing.body.alerts).toMatchObject([{ id: "a-new", transitions: [{ from: "normal", to: "firing", at: 2000, value: 85.5 }] }]);
    const wrong = await json(call(alerts, "GET", "/api/alerts?state=burning", { as: "vera" }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toMatch(/^state/);
    expect((await call(alerts, "GET", "/api/alerts?cursor=zzz", { as: "vera" })).status).toBe(400);

    const detail = await json(call(alert, "GET", "/api/alerts/a-new", { as: "vera", params: { id: "a-new" } }));
    expect(detail.body).toMatchObject({ id: "a-new", transitions: [{ to: "firing" }], deliveries: [], changes: [] });
    expect((await call(alert, "GET", "/api/alerts/none", { as: "vera", params: { id: "none" } })).status).toBe(404);

    const acked = await json(call(ack, "POST", "/api/alerts/a-new/ack", { as: "otto", body: { comment: "on it" }, params: { id: "a-new" } }));
    expect(acked.status).toBe(200);
    expect(acked.body.ack).toMatchObject({ by: "otto", comment: "on it" });
    expect((await call(ack, "POST", "/api/alerts/a-old/ack", { as: "otto", body: {}, params: { id: "a-old" } })).status).toBe(409);
    expect((await json(call(alert, "GET", "/api/alerts/a-new", { as: "vera", params: { id: "a-new" } }))).body.changes).toMatchObject([{ actor: "otto", action: "alert.acked", detail: { comment: "on it" } }]);
  });

  it("makes a silence by the caller, lists it, marks the alerts it covers silenced, and expires it", async () => {
    await store.alerts.saveRule({ id: "r1", body: JSON.stringify({ id: "r1", ...threshold, forMs: 0 }), createdAt: 1, createdBy: "ada", updatedAt: 1, updatedBy: "ada" });
    const body = { matchers: [{ name: "rule", op: "=", value: "r1" }, { name: "device", op: "=", value: "arm-01" }], endsAt: Date.now() + 3600_000, comment: "maintenance", createdBy: "someone-else" };
    const made = await json(call(silences, "POST", "/api/silences", { as: "otto", body }));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ createdBy: "otto", comment: "maintenance", state: "active", matchers: body.matchers });
    expect((await json(call(silences, "POST", "/api/silences", { as: "otto", body: { ...body, matchers: [{ name: "rule", op: "=~", value: ".*" }] } }))).status).toBe(400);
    const listed = await json(call(silences, "GET", "/api/silences?state=active", { as: "vera" }));
    expect((listed.body.silences as { id: string }[]).map((s) => s.id)).toEqual([made.body.id]);
    const firing = await json(call(alerts, "GET", "/api/alerts?state=firing", { as: "vera" }));
    expect(firing.body.alerts).toMatchObject([{ id: "a-new", ruleName: "Hot motor", silenced: true }]);

    const id = made.body.id as string;
    expect(await json(call(silence, "DELETE", `/api/silences/${id}`, { as: "otto", params: { id } }))).toEqual({ status: 200, body: { expired: id } });
    expect((await call(silence, "DELETE", `/api/silences/${id}`, { as: "otto", params: { id } })).status).toBe(404);
    expect((await json(call(alerts, "GET", "/api/alerts?state=firing", { as: "vera" }))).body.alerts).toMatchObject([{ silenced: false }]);
    expect((await store.alerts.listAudit({ target: `silence:${id}`, limit: 10 })).map((e) => e.action)).toEqual(["silence.expired", "silence.created"]);
  });

  it("previews a rule over the stored messages of the last 24 h: the crossings it would have made, nothing saved; admins only, bad bodies in the error shape", async () => {
    const now = Date.now();
    const H = 3600_000;
    // Stored as the bridge stores them: a day-old crossing outside the window, then one inside it.
    const conventions = new Interpreter(BUILT_IN_CONVENTIONS);
    const stored = [[now - 25 * H, 99], [now - 3 * H, 60], [now - 2 * H, 85.5], [now - 2 * H + 4000, 86], [now - 2 * H + 20_000, 75], [now - H, 65]] as const;
    for (const [i, [ts, temp]] of stored.entries()) {
      const d = decodeMessage({ topic: "fleet/pv/arm-pv/telemetry", payload: Buffer.from(JSON.stringify({ seq: i + 1, temp })), qos: 0, retain: false, dup: false }, asEpochMs(ts), conventions);
      await store.append({ messages: [d.row], devices: d.devices });
    }
    const body = { ...threshold, devices: ["arm-pv"] };
    const before = (await store.alerts.listRules()).length;
    const res = await json(call(preview, "POST", "/api/alert-rules/preview", { as: "ada", body }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ messages: 5, partial: false, unsupported: null, truncated: false, counts: { transitions: 4, fired: 1, devices: 1, open: {} } });
    expect(res.body.from).toBeGreaterThanOrEqual(now - 24 * H);
    expect((res.body.transitions as { device: string; from: string; to: string; at: number; value: unknown }[]).map((t) => [t.device, t.from, t.to, t.at, t.value])).toEqual([
      ["arm-pv", "normal", "pending", now - 2 * H, 85.5],
      ["arm-pv", "pending", "firing", now - 2 * H + 10_000, 86],
      // The hour without messages is "firing, no data" after the rule's noDataMs (5 min), as live.
      ["arm-pv", "firing", "firing_no_data", now - 2 * H + 20_000 + 5 * 60_000, 75],
      ["arm-pv", "firing_no_data", "resolved", now - H, 65],
    ]);
    expect((await store.alerts.listRules()).length).toBe(before);

    expect((await json(call(preview, "POST", "/api/alert-rules/preview", { as: "otto", body }))).status).toBe(403);
    const bad = await json(call(preview, "POST", "/api/alert-rules/preview", { as: "ada", body: { ...body, clear: 90 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "bad_request" });
    expect(bad.body.error!.message).toMatch(/clear/);
    const stuck = await json(call(preview, "POST", "/api/alert-rules/preview", { as: "ada", body: { name: "stuck", kind: "qos_stuck", severity: "minor" } }));
    expect(stuck.body).toMatchObject({ messages: 0, transitions: [], unsupported: expect.stringMatching(/qos_stuck/) });
  });
});
