/**
 * A fleet no convention knows, made into devices from `/topics` as a new user would: select a
 * topic, "Make these devices", check the live preview, save. The rule is in force at once, for
 * the tab (the overview shows the devices live) and for the server's bridge (they are stored),
 * without a restart; saving and deleting are audited.
 * (After overview.spec.ts, whose fleet count these devices would change.)
 */
import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { E2E_USERS } from "../playwright.config";

const run = Date.now().toString(36);

test("a topic no convention reads becomes devices by a rule made on /topics, previewed live, in force once saved", async ({ page, baseURL }) => {
  const root = `greenhouse-${run}`;
  const name = `gh-${run}`;
  // Anonymous, as a device without credentials (FLEETSCOPE_ANONYMOUS_DEVICES=on in this run).
  const bed = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: `e2e-rules-${run}` });
  try {
    await bed.publishAsync(`${root}/bed-1/climate`, JSON.stringify({ temp: 21.5, hum: 40 }), { qos: 1, retain: true });
    await bed.publishAsync(`${root}/bed-2/climate`, JSON.stringify({ temp: 19, hum: 44 }), { qos: 1, retain: true });

    await page.goto("/topics");
    await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
    await page.getByLabel("Search topics").fill(`${root}/#`);
    await page.getByRole("button", { name: "Expand shown" }).click();
    await page.locator(`[data-topic="${root}/bed-1/climate"]`).click();
    const detail = page.getByRole("region", { name: "Selected topic" });
    await expect(detail).toContainText("none reads this topic");
    await detail.getByRole("button", { name: "Make these devices" }).click();

    const maker = page.getByRole("region", { name: "Make these devices" });
    // Suggested from the topic and its neighbours: bed-N is the level that tells devices apart.
    await expect(maker.getByLabel("Topic pattern")).toHaveValue(`${root}/{device}/#`);
    const devices = maker.getByTestId("rule-preview-device");
    await expect(devices).toHaveCount(2);
    await expect(devices.filter({ hasText: "bed-1" })).toContainText("temp 21.5 · hum 40");

    // A broken pattern is refused, naming the key, and the preview says nothing false meanwhile.
    await maker.getByLabel("Topic pattern").fill(`${root}/{device`);
    await expect(maker.getByRole("alert", { name: "Rule problems" })).toContainText("pattern");
    await expect(maker.getByRole("button", { name: "Save rule" })).toBeDisabled();
    await maker.getByLabel("Rule JSON").fill(
      JSON.stringify({ name, pattern: `${root}/{device}/#`, fields: [{ topic: "climate", path: "$.temp", name: "temp", unit: "°C" }, { topic: "climate", path: "$.hum", name: "hum", unit: "%" }] }, null, 2),
    );
    await expect(devices.filter({ hasText: "bed-2" })).toContainText("temp 19 °C · hum 44 %");
    await maker.getByRole("button", { name: "Save rule" }).click();
    await expect(maker.getByRole("status")).toContainText("Rule created");

    const listed = (await (await page.request.get("/api/conventions/rules")).json()) as { rules: { name: string; source: string; updatedBy: string }[]; changes: { name: string; action: string; actor: string }[] };
    expect(listed.rules.find((r) => r.name === name)).toMatchObject({ source: "saved", updatedBy: "admin" });
    expect(listed.changes[0]).toMatchObject({ name, action: "created", actor: "admin" });

    // Live, no restart: the tab subscribes to what the rule reads (the retained readings come
    // first), and a new reading reaches its overview and the server's store.
    await page.getByRole("link", { name: "fleet overview" }).click();
    await page.getByRole("searchbox").first().fill(name);
    const card = page.getByTestId("device-card").filter({ hasText: "bed-1" });
    await expect(card.getByTestId("convention")).toHaveText(`Rule ${name}`);
    await expect(card).toContainText("21.5");
    await bed.publishAsync(`${root}/bed-1/climate`, JSON.stringify({ temp: 22.5, hum: 42 }), { qos: 1 });
    await expect(card).toContainText("22.5");
    await expect(card).not.toContainText("seen never");
    await expect
      .poll(async () => {
        const body = (await (await page.request.get("/api/devices")).json()) as { devices: { name: string; convention: string; values?: Record<string, { value: number }> }[] };
        const d = body.devices.find((x) => x.convention === `rule:${name}` && x.name === "bed-1");
        return d?.values?.temp?.value ?? null;
      })
      .toBe(22.5);

    // Deleting is audited too; a second delete finds nothing, and a file rule cannot be deleted here.
    expect((await page.request.delete(`/api/conventions/rules/${name}`)).status()).toBe(200);
    expect((await page.request.delete(`/api/conventions/rules/${name}`)).status()).toBe(404);
    const plant = await page.request.delete("/api/conventions/rules/plant");
    expect(plant.status()).toBe(409);
    expect(((await plant.json()) as { error: { message: string } }).error.message).toContain("FLEETSCOPE_CONVENTIONS");
    const audit = (await (await page.request.get(`/api/conventions/rules/plant`)).json()) as { rule: { source: string } };
    expect(audit.rule.source).toBe("file");
    const after = (await (await page.request.get("/api/conventions/rules")).json()) as { rules: { name: string }[]; changes: { name: string; action: string }[] };
    expect(after.rules.map((r) => r.name)).not.toContain(name);
    expect(after.changes.slice(0, 2).map((c) => [c.name, c.action])).toEqual([
      [name, "deleted"],
      [name, "created"],
    ]);
  } finally {
    for (const b of ["bed-1", "bed-2"]) await bed.publishAsync(`${root}/${b}/climate`, "", { qos: 1, retain: true });
    await bed.endAsync();
  }
});

test("a rule that does not read is refused with every problem named, and a viewer may not save one", async ({ page, playwright, baseURL }) => {
  const bad = await page.request.post("/api/conventions/rules", { data: { name: "bad rule", pattern: "x/{device", fields: [{ path: "temp", name: "t" }] } });
  expect(bad.status()).toBe(400);
  const body = (await bad.json()) as { error: { code: string }; errors: string[] };
  expect(body.error.code).toBe("bad_request");
  expect(body.errors.join("\n")).toMatch(/name/);
  expect(body.errors.join("\n")).toMatch(/pattern/);
  expect(body.errors.join("\n")).toMatch(/fields\[0\]\.path/);
  const viewer = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    expect((await viewer.post("/api/conventions/rules", { data: { name: "x", pattern: "x/{device}" } })).status()).toBe(401);
    expect((await viewer.post("/api/auth/login", { data: E2E_USERS.viewer })).ok()).toBe(true);
    const refused = await viewer.post("/api/conventions/rules", { data: { name: "x", pattern: "x/{device}" } });
    expect(refused.status()).toBe(403);
    expect((await viewer.get("/api/conventions/rules")).ok()).toBe(true);
  } finally {
    await viewer.dispose();
  }
});
