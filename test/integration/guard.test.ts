/**
 * The guard every API route calls (and the lead's POST /api/commands will), against a real
 * SQLite store: who gets 401, who gets 403, and the CSRF rule.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/roles";
import { hashSessionToken, newSessionToken } from "../../lib/auth/session-token";
import type { Store } from "../../lib/store/types";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-guard-"));
process.env.DATABASE_URL = `file:${join(dir, "guard.db")}`;
process.env.FLEETSCOPE_AUTH = "on";

let guard: (req: Request, need: Actor["role"]) => Promise<Actor | Response>;
let store: Store;
const cookies: Record<string, string> = {};

async function session(username: string, expiresAt = Date.now() + 60_000) {
  const token = newSessionToken();
  await store.users.createSession({ tokenHash: hashSessionToken(token), username, expiresAt }, Date.now());
  return `fleetscope_session=${token}`;
}

const req = (method: string, cookie?: string, origin?: string) =>
  new Request("http://localhost:3000/api/commands", { method, headers: { host: "localhost:3000", ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) } });

async function refusal(r: Actor | Response) {
  expect(r).toBeInstanceOf(Response);
  const res = r as Response;
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
}

beforeAll(async () => {
  ({ guard } = await import("../../lib/http/guard"));
  store = await (await import("../../lib/http/context")).store();
  for (const [username, role] of [["vera", "viewer"], ["otto", "operator"], ["gone", "operator"]] as const) {
    await store.users.createUser({ username, role, passwordHash: "unused" }, Date.now());
    cookies[username] = await session(username);
  }
  await store.users.updateUser("gone", { disabled: true }, Date.now());
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("guard", () => {
  it("answers 401 in the documented shape without a session, with an unknown one, an expired one or a disabled user's", async () => {
    for (const cookie of [undefined, "fleetscope_session=made-up", await session("vera", Date.now() - 1), cookies.gone]) {
      const r = await refusal(await guard(req("GET", cookie), "viewer"));
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("unauthorized");
    }
  });

  it("returns the actor when the role suffices", async () => {
    expect(await guard(req("GET", cookies.vera), "viewer")).toEqual({ username: "vera", role: "viewer" });
    expect(await guard(req("POST", cookies.otto), "operator")).toEqual({ username: "otto", role: "operator" });
  });

  it("answers 403 to a viewer's POST that needs an operator (POST /api/commands)", async () => {
    const r = await refusal(await guard(req("POST", cookies.vera, "http://localhost:3000"), "operator"));
    expect(r.status).toBe(403);
    expect(r.body.error).toEqual({ code: "forbidden", message: "this needs the operator role; vera is a viewer" });
  });

  it("refuses a state-changing request from another origin, even an operator's, and allows one without Origin", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const r = await refusal(await guard(req(method, cookies.otto, "http://evil.example"), "operator"));
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/cross-origin/);
    }
    expect(await guard(req("POST", cookies.otto), "operator")).toEqual({ username: "otto", role: "operator" });
    expect(await guard(req("GET", cookies.vera, "http://evil.example"), "viewer")).toEqual({ username: "vera", role: "viewer" });
  });
});
