import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { E2E_DEVICE, E2E_USERS } from "../playwright.config";

const IMG = "<img src=x onerror=alert(1)>";
const SCRIPT = "<script>alert(1)</script>";
const JS = "javascript:alert(1)";
/** U+202E RIGHT-TO-LEFT OVERRIDE: shown as it is, it would make "exe.txt" read as "txt.exe". */
const BIDI = "\u202Eexe.txt";
const TEN_MB = 10 * 1024 * 1024;

// This file runs after overview.spec.ts (which counts exactly the 12 demo devices): evil-01 is a new device.
test("hostile topics and payloads from a device render as inert text in the tree, the device panels, its logs and the packet trace", async ({ page, baseURL }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto("/topics");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");

  // A device with its own credentials: everything it publishes is under its own subtree.
  const device = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-evil-01", username: E2E_DEVICE.id, password: E2E_DEVICE.password });
  const root = `fleet/lab/${E2E_DEVICE.id}`;
  const logLine = `${IMG} ${SCRIPT} ${JS} ${BIDI}`;
  try {
    await device.publishAsync(`${root}/telemetry`, JSON.stringify({ seq: 1, temp: 21.5, note: SCRIPT }), { qos: 1 });
    await device.publishAsync(`${root}/log`, JSON.stringify({ seq: 1, level: "error", msg: logLine }), { qos: 1 });
    await device.publishAsync(`${root}/alarm`, JSON.stringify({ seq: 1, level: "warning", code: JS }), { qos: 1 });
    await device.publishAsync(`${root}/${IMG}`, SCRIPT, { qos: 1 });
    await device.publishAsync(`${root}/${JS}`, JS, { qos: 1 });
    await device.publishAsync(`${root}/${BIDI}`, BIDI, { qos: 1 });
    await device.publishAsync(`${root}/big`, Buffer.alloc(TEN_MB, SCRIPT), { qos: 1 });
  } finally {
    await device.endAsync();
  }

  // The topic tree: each hostile level is a row showing its text.
  await page.getByLabel("Search topics").fill(root);
  const tree = page.getByRole("tree");
  for (const level of [IMG, JS, BIDI]) await expect(tree.locator(`[data-topic="${root}/${level}"]`)).toContainText(level);
  await tree.locator(`[data-topic="${root}/${IMG}"]`).click();
  const detail = page.getByRole("region", { name: "Selected topic" });
  await expect(detail.getByRole("heading")).toHaveText(`${root}/${IMG}`);
  await expect(detail.getByText(SCRIPT, { exact: true }).first()).toBeVisible();
  // The 10 MB payload: listed and selectable, and the page still answers.
  await tree.locator(`[data-topic="${root}/big"]`).click();
  await expect(detail.getByRole("heading")).toHaveText(`${root}/big`);
  expect(await page.evaluate(() => 1 + 1)).toBe(2);

  // The device's panels and its logs and alarms: the page reads them from the store, so first the
  // bridge must have stored them (it may lag on a busy machine).
  await expect(async () => {
    for (const kind of ["log", "alarm"]) {
      const res = await page.request.get(`/api/messages?topic=${encodeURIComponent(`${root}/${kind}`)}&limit=1`);
      expect(((await res.json()) as { messages: unknown[] }).messages, kind).toHaveLength(1);
    }
  }).toPass();
  await page.goto(`/devices/${E2E_DEVICE.id}`);
  const events = page.getByTestId("events");
  await expect(events.getByText(logLine, { exact: true })).toBeVisible();
  await expect(events.getByText(JS, { exact: true })).toBeVisible();
  await expect(page.getByTestId("value-temp")).toHaveText(/21\.5/);

  // The packet trace lists the same topics, as text.
  await page.goto(`/wire?device=${E2E_DEVICE.id}`);
  const packets = page.getByRole("table", { name: "Packets" });
  for (const level of [IMG, JS, BIDI]) await expect(packets.getByRole("cell", { name: `${root}/${level}`, exact: true }).first()).toBeVisible();

  expect(dialogs).toEqual([]);
  expect(await page.locator("img").count()).toBe(0);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await page.locator("script").evaluateAll((els) => els.filter((e) => e.textContent?.includes("alert(1)")).length)).toBe(0);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
});

test.describe("without a session", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("every API route but health and the auth routes answers 401 in the documented shape", async ({ request }) => {
    const routes: [string, string][] = [
      ["GET", "/api/devices"],
      ["GET", "/api/devices/arm-01"],
      ["GET", "/api/series?device=arm-01&field=temp"],
      ["GET", "/api/messages"],
      ["GET", "/api/delivery?device=arm-01"],
      ["GET", "/api/trace"],
      ["GET", "/api/auth/me"],
      ["GET", "/api/auth/broker-token"],
      ["GET", "/api/users"],
      ["POST", "/api/users"],
      ["PATCH", "/api/users/admin"],
      ["GET", "/api/commands"],
      ["POST", "/api/commands"],
      ["GET", "/api/commands/00000000-0000-0000-0000-000000000000"],
    ];
    for (const [method, path] of routes) {
      const res = await request.fetch(path, { method, data: method === "GET" ? undefined : {} });
      expect(res.status(), `${method} ${path}`).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "log in first: POST /api/auth/login" } });
    }
    // A path that does not even decode is refused in the same shape, before any route runs.
    const undecodable = await request.get("/api/devices/%ZZ");
    expect(undecodable.status()).toBe(400);
    expect(((await undecodable.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    // Health stays public for probes, with each part's status and nothing more.
    const health = await request.get("/api/health");
    expect(await health.json()).toEqual({ status: "ok", broker: { status: "ok" }, store: { status: "ok" }, bridge: { status: "ok" }, commands: { status: "ok" }, capture: { status: "off" }, alerts: { status: "ok" } });
  });

  test("login is throttled per account after five failures, whatever the password", async ({ request }) => {
    const attempt = (password: string) => request.post("/api/auth/login", { data: { username: E2E_USERS.operator.username, password } });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status()).toBe(401);
    const throttled = await attempt(E2E_USERS.operator.password);
    expect(throttled.status()).toBe(429);
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  test("behind a trusted proxy, failed logins count against the forwarded client's address, not everyone's at the proxy", async ({ request }) => {
    const from = (address: string, username: string) =>
      request.post("/api/auth/login", { headers: { "x-forwarded-for": address }, data: { username, password: "not-the-password" } });
    for (let i = 0; i < 20; i++) expect((await from("203.0.113.7", `sprayed-${i}`)).status()).toBe(401);
    const throttled = await from("203.0.113.7", "sprayed-20");
    expect(throttled.status()).toBe(429);
    expect(((await throttled.json()) as { error: { message: string } }).error.message).toMatch(/for this address/);
    // Another client behind the same proxy is not locked out with the first.
    expect((await from("203.0.113.8", "sprayed-21")).status()).toBe(401);
  });

  test("a 10 MB login body is refused without being read, and the server keeps answering", async ({ request }) => {
    const res = await request.post("/api/auth/login", { headers: { "content-type": "application/json" }, data: "x".repeat(TEN_MB) });
    expect(res.status()).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect((await request.get("/api/health")).status()).toBe(200);
  });
});

test("a state-changing request from another origin is refused, even with the admin's session", async ({ request }) => {
  const res = await request.post("/api/users", { headers: { origin: "http://evil.example" }, data: { username: "csrf", password: "whatever-pass", role: "admin" } });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  expect((await (await request.get("/api/users")).json()) as { users: { username: string }[] }).not.toMatchObject({ users: expect.arrayContaining([expect.objectContaining({ username: "csrf" })]) });
});

test("pages carry a CSP without unsafe-eval that forbids framing, nosniff and a strict referrer policy", async ({ request }) => {
  const res = await request.get("/");
  const h = res.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(h["content-security-policy"]).not.toContain("unsafe-eval");
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
});
