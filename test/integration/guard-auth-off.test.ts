/** FLEETSCOPE_AUTH=off: the guard lets everyone in as the lab's admin, and still applies the CSRF rule. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-guard-off-"));
process.env.DATABASE_URL = `file:${join(dir, "guard.db")}`;
process.env.FLEETSCOPE_AUTH = "off";

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("with FLEETSCOPE_AUTH=off everyone is the lab's admin, and cross-origin POSTs are still refused", async () => {
  const { guard } = await import("../../lib/http/guard");
  const headers = { host: "localhost:3000" };
  expect(await guard(new Request("http://localhost:3000/api/users", { method: "POST", headers }), "admin")).toEqual({ username: "lab", role: "admin" });
  const refused = await guard(new Request("http://localhost:3000/api/users", { method: "POST", headers: { ...headers, origin: "http://evil.example" } }), "viewer");
  expect(refused).toBeInstanceOf(Response);
  expect((refused as Response).status).toBe(403);
});
