/**
 * Authorization before lookup, on every API route (issue 21): against the real server, each route
 * file under app/api (found when the test runs, so a new route is covered the day it lands) and
 * each method it serves is called with no session, a viewer's and an operator's, with unknown,
 * malformed and real ids, odd query strings and bodies. Wherever the caller's role is too low the
 * answer is 401 or 403 — never a 404 or 400 that tells a viewer what exists.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../../bench/server-process";
import { ROLES, type Role } from "../../lib/auth/roles";
import { SESSION_COOKIE } from "../../lib/auth/session-token";
import type { Method } from "../../lib/http/method-not-allowed";
import { armId } from "../../lib/sim/fleet";

const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
type Need = Role | "public";

/**
 * The least role each served method needs. Every route file must be listed, with exactly the
 * methods it serves (the ones `otherMethods(...)` answers with 405 are left out): a new route fails
 * here until someone says who may call it.
 */
const ACCESS: Record<string, Partial<Record<Method, Need>>> = {
  // Unknown API paths: the documented 404 for anyone, about the path only.
  "/api/[...path]": { GET: "public", POST: "public", PUT: "public", PATCH: "public", DELETE: "public" },
  // Alerts: viewers see, operators acknowledge and silence, admins edit the rules (lib/auth/roles.ts, abilities).
  "/api/alert-rules": { GET: "viewer", POST: "admin" },
  "/api/alert-rules/[id]": { GET: "viewer", PATCH: "admin", DELETE: "admin" },
  "/api/alert-rules/preview": { POST: "admin" },
  "/api/alerts": { GET: "viewer" },
  "/api/alerts/[id]": { GET: "viewer" },
  "/api/alerts/[id]/ack": { POST: "operator" },
  "/api/silences": { GET: "viewer", POST: "operator" },
  "/api/silences/[id]": { DELETE: "operator" },
  "/api/auth/broker-token": { GET: "viewer" },
  "/api/auth/login": { POST: "public" },
  "/api/auth/logout": { POST: "public" },
  "/api/auth/me": { GET: "viewer" },
  "/api/auth/setup": { POST: "public" },
  "/api/captures": { GET: "viewer", POST: "operator" },
  "/api/captures/[id]": { GET: "viewer", DELETE: "operator" },
  "/api/captures/[id]/file": { GET: "viewer" },
  "/api/captures/[id]/flows": { GET: "viewer" },
  "/api/captures/[id]/packets": { GET: "viewer" },
  "/api/commands": { GET: "viewer", POST: "operator" },
  "/api/commands/[id]": { GET: "viewer" },
  "/api/conventions": { GET: "viewer" },
  "/api/conventions/rules": { GET: "viewer", POST: "admin" },
  "/api/conventions/rules/[name]": { GET: "viewer", DELETE: "admin" },
  "/api/conventions/state": { GET: "viewer" },
  "/api/delivery": { GET: "viewer" },
  "/api/devices": { GET: "viewer" },
  "/api/devices/[id]": { GET: "viewer" },
  "/api/devices/[id]/status": { GET: "viewer" },
  "/api/export": { GET: "viewer" },
  "/api/health": { GET: "public" },
  "/api/messages": { GET: "viewer" },
  "/api/metrics": { GET: "public" },
  "/api/openapi.json": { GET: "public" },
  "/api/series": { GET: "viewer" },
  "/api/snapshot": { GET: "viewer" },
  "/api/trace": { GET: "viewer" },
  "/api/users": { GET: "admin", POST: "admin" },
  "/api/users/[username]": { PATCH: "admin" },
};

const APP = join(process.cwd(), "app");

/** Every `route.ts` under app/api, as its URL pattern (route groups left out) and source. */
function routeFiles(): { route: string; source: string }[] {
  const out: { route: string; source: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === "route.ts") {
        const segments = relative(APP, dir).split(sep).filter((s) => !/^\(.*\)$/.test(s));
        out.push({ route: `/${segments.join("/")}`, source: readFileSync(path, "utf8") });
      }
    }
  };
  walk(join(APP, "api"));
  return out.sort((a, b) => a.route.localeCompare(b.route));
}

/** The methods a route file serves itself, read from its exports; those from `otherMethods(...)` answer 405 and are left out. */
function servedMethods(source: string): Method[] {
  const served = new Set<string>();
  const refused = new Set<string>();
  for (const m of source.matchAll(/export\s+const\s*\{([^}]*)\}\s*=\s*(\w+)\s*\(/g)) {
    const names = m[1]!.split(",").map((n) => n.trim().split(/\s*:\s*/)[0]!);
    for (const n of names) (m[2] === "otherMethods" ? refused : served).add(n);
  }
  for (const m of source.matchAll(/export\s+(?:async\s+)?function\s+(\w+)/g)) served.add(m[1]!);
  for (const m of source.matchAll(/export\s+(?:const|let|var)\s+(\w+)\s*=/g)) served.add(m[1]!);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) served.add(part.trim().split(/\s+as\s+/).pop()!);
  }
  return METHODS.filter((method) => served.has(method) && !refused.has(method));
}

/** What to put in a dynamic segment: ids nothing has, ids no route would accept, and (per segment, where one was cheap to make) a real one. */
const UNKNOWN_IDS = ["no-such-thing", "cap-zz00000-0123456789", "7d3f2a10-0000-4000-8000-000000000000", "bad id+#?", "x".repeat(300)];
const UNKNOWN_PATHS = ["no/such/api", "devices/no-such-device/nothing"];
/** Real ids by the route prefix that ends in the segment, filled in once the server runs. */
const realIds = new Map<string, string>();

function pathsOf(route: string): string[] {
  const segments = route.split("/");
  const dynamic = segments.findIndex((s) => /^\[.*\]$/.test(s));
  if (dynamic < 0) return [route];
  const prefix = segments.slice(0, dynamic + 1).join("/");
  const catchAll = segments[dynamic]!.startsWith("[...");
  const candidates = catchAll ? UNKNOWN_PATHS : [...UNKNOWN_IDS.map(encodeURIComponent), ...(realIds.has(prefix) ? [encodeURIComponent(realIds.get(prefix)!)] : [])];
  // A route has at most one dynamic segment today; the rest are filled the same way.
  return candidates.flatMap((c) => pathsOf([...segments.slice(0, dynamic), c, ...segments.slice(dynamic + 1)].join("/")));
}

/** Query strings a route might parse before it checks who asks. */
const QUERIES = ["", "?device=no-such-device&field=nope&topic=%23&from=not-a-time&to=-1&limit=0&cursor=bogus&state=nope&format=nope&id=x"];

interface Body {
  type: string;
  data: string | Blob;
}
const json = (v: unknown): Body => ({ type: "application/json", data: JSON.stringify(v) });
/** Bodies for every state-changing call (undefined: none), then each route's own, which name real and unknown things. */
const COMMON_BODIES: (Body | undefined)[] = [undefined, json({}), { type: "application/json", data: "{not json" }, { type: "text/plain", data: "hello" }];
const PCAP = new Blob([readFileSync(join(process.cwd(), "lib/capture/fixtures/mqtt311.pcap"))]);
const RULE = {
  name: "authz-probe",
  pattern: "probe/{site}/{device}/#",
  group: "{site}",
  fields: [{ topic: "telemetry", path: "$.temp", name: "temp" }],
};
const SILENCE = { matchers: [{ name: "device", op: "=", value: "no-such-device" }], endsAt: Date.now() + 3_600_000, comment: "probing" };
function routeBodies(route: string, method: Method): Body[] {
  const device = armId(0);
  const key = `${method} ${route}`;
  if (key === "POST /api/commands") {
    return [
      json({ device: "no-such-device", name: "stop" }),
      json({ device, name: "stop" }),
      json({ device, name: "no-such-command" }),
      json({ device, name: "move_joint", args: { joint: 99, angle: "far" } }),
    ];
  }
  if (key === "POST /api/captures") return [{ type: "application/vnd.tcpdump.pcap", data: PCAP }];
  if (key === "POST /api/users") return [json({ username: "authz-new", password: "a-long-enough-password", role: "admin" }), json({ username: "admin", password: "a-long-enough-password", role: "viewer" })];
  if (key === "PATCH /api/users/[username]") return [json({ role: "admin" }), json({ disabled: true })];
  if (key === "POST /api/conventions/rules") return [json(RULE)];
  if (route.startsWith("/api/alert-rules")) return [json({ name: "authz-probe", kind: "offline", severity: "major" }), json({ severity: "info" })];
  if (route.startsWith("/api/silences")) return [json(SILENCE)];
  if (route.startsWith("/api/alerts")) return [json({ comment: "probing" })];
  return [];
}

const ADMIN_PASSWORD = "authz-admin-password";
const PASSWORDS = { viewer: "authz-viewer-password", operator: "authz-operator-password" } as const;


let server: ServerProcess;
let base = "";
/** Cookie headers by caller. */
const cookies: Record<string, string | undefined> = {};

async function call(method: Method, path: string, cookie: string | undefined, body?: Body): Promise<Response> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (body) headers["content-type"] = body.type;
  return fetch(`${base}${path}`, { method, headers, body: body?.data, redirect: "manual", signal: AbortSignal.timeout(30_000) });
}

async function logIn(username: string, password: string): Promise<string> {
  const res = await call("POST", "/api/auth/login", undefined, json({ username, password }));
  expect(res.status, `logging in as ${username}`).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  expect(cookie, `${username}'s session cookie`).toBeDefined();
  return cookie!.split(";")[0]!;
}

async function answer<T>(res: Response): Promise<T> {
  expect(res.headers.get("content-type") ?? "").toMatch(/json/);
  return (await res.json()) as T;
}

/** Callers below each role, with the answer each must get. */
const CALLERS: { name: string; role: Role | null; status: 401 | 403; code: string }[] = [
  { name: "anonymous", role: null, status: 401, code: "unauthorized" },
  { name: "made-up session", role: null, status: 401, code: "unauthorized" },
  { name: "viewer", role: "viewer", status: 403, code: "forbidden" },
  { name: "operator", role: "operator", status: 403, code: "forbidden" },
];
const allowed = (role: Role | null, need: Role) => role !== null && ROLES.indexOf(role) >= ROLES.indexOf(need);

beforeAll(async () => {
  // The production build: `npm test` builds before the integration tests (server.ts builds once
  // when there is none), so the routes are the tree's and no `next dev` rewrites tsconfig.json.
  server = await startServerProcess({
    FLEETSCOPE_AUTH: "on",
    FLEETSCOPE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FLEETSCOPE_SIM_DEVICES: "1",
    FLEETSCOPE_SIM_FAILURES: "0",
    FLEETSCOPE_BROKER_PERSISTENCE: "memory",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  await server.ready;
  base = `http://localhost:${server.port}`;
  const admin = await logIn("admin", ADMIN_PASSWORD);
  cookies.admin = admin;
  cookies["made-up session"] = `${SESSION_COOKIE}=made-up`;
  for (const role of ["viewer", "operator"] as const) {
    const res = await call("POST", "/api/users", admin, json({ username: `authz-${role}`, password: PASSWORDS[role], role }));
    expect(res.status, `adding the ${role}`).toBe(201);
    cookies[role] = await logIn(`authz-${role}`, PASSWORDS[role]);
  }

  // Real ids, made as the admin, so "unknown" is not the only case that is refused.
  realIds.set("/api/users/[username]", "admin");
  const device = armId(0);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await call("GET", `/api/devices/${device}`, admin);
    if (res.status === 200 && (await answer<{ status: string }>(res)).status === "online") break;
    if (Date.now() > deadline) throw new Error(`${device} never came online`);
    await new Promise((r) => setTimeout(r, 250));
  }
  realIds.set("/api/devices/[id]", device);
  const command = await call("POST", "/api/commands", admin, json({ device, name: "stop" }));
  expect(command.status, "the admin's command").toBe(202);
  realIds.set("/api/commands/[id]", (await answer<{ id: string }>(command)).id);
  const capture = await call("POST", "/api/captures?name=authz.pcap", admin, { type: "application/vnd.tcpdump.pcap", data: PCAP });
  expect(capture.status, "the admin's capture").toBe(201);
  realIds.set("/api/captures/[id]", (await answer<{ id: string }>(capture)).id);
  const rule = await call("POST", "/api/conventions/rules", admin, json({ ...RULE, name: "authz-real" }));
  expect(rule.status, "the admin's rule").toBe(201);
  realIds.set("/api/conventions/rules/[name]", "authz-real");
  const alertRule = await call("POST", "/api/alert-rules", admin, json({ name: "authz-real", kind: "offline", severity: "major" }));
  expect(alertRule.status, "the admin's alert rule").toBe(201);
  realIds.set("/api/alert-rules/[id]", (await answer<{ id: string }>(alertRule)).id);
  const silence = await call("POST", "/api/silences", admin, json(SILENCE));
  expect(silence.status, "the admin's silence").toBe(201);
  realIds.set("/api/silences/[id]", (await answer<{ id: string }>(silence)).id);
  // No alert fires in this run: /api/alerts/{id} is called with unknown ids only.
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

const routes = routeFiles();

describe("authorization before lookup", () => {
  it("the access table lists every route file under app/api with exactly the methods it serves", () => {
    expect(routes.length).toBeGreaterThan(0);
    const fromSource = Object.fromEntries(routes.map((r) => [r.route, servedMethods(r.source)]));
    const fromTable = Object.fromEntries(routes.map((r) => [r.route, ACCESS[r.route] ? METHODS.filter((m) => ACCESS[r.route]![m]) : "missing from ACCESS"]));
    expect(fromTable).toEqual(fromSource);
    expect(Object.keys(ACCESS).filter((route) => !routes.some((r) => r.route === route)), "routes in ACCESS with no file").toEqual([]);
  });

  for (const { route, source } of routes) {
    for (const method of servedMethods(source)) {
      const need = ACCESS[route]?.[method];
      if (need === undefined || need === "public") continue;
      it(`${method} ${route} (${need}): refused before any lookup`, async () => {
        const problems: string[] = [];
        const bodies = method === "GET" || method === "DELETE" ? [undefined] : [...COMMON_BODIES, ...routeBodies(route, method)];
        for (const path of pathsOf(route)) {
          for (const query of QUERIES) {
            for (const body of bodies) {
              for (const caller of CALLERS) {
                if (allowed(caller.role, need)) continue;
                const res = await call(method, path + query, cookies[caller.name], body);
                const what = `${caller.name}: ${method} ${(path + query).slice(0, 120)}${body ? ` with ${body.type} ${String(typeof body.data === "string" ? body.data : "<binary>").slice(0, 60)}` : ""}`;
                if (res.status !== caller.status) {
                  problems.push(`${what} → ${res.status} ${(await res.text()).slice(0, 160)}`);
                  continue;
                }
                const error = (await answer<{ error?: { code?: string } }>(res)).error;
                if (error?.code !== caller.code) problems.push(`${what} → ${res.status} with error code ${error?.code}`);
              }
            }
          }
        }
        // The role that is enough is let through (with an unknown id): the table is not stricter than the route.
        for (const caller of CALLERS) {
          if (!allowed(caller.role, need)) continue;
          const res = await call(method, pathsOf(route)[0]!, cookies[caller.name]);
          await res.body?.cancel();
          if (res.status === 401 || res.status === 403) problems.push(`${caller.name} may ${method} ${route} (it needs ${need}) but got ${res.status}`);
        }
        expect(problems).toEqual([]);
      }, 120_000);
    }
  }
});
