/**
 * Alerts as an operator meets them: a threshold rule made on /alerts fires on the demo fleet's
 * own telemetry (pending, then firing, counted in the header), an arm that goes offline while it
 * fires is "firing, no data" and never resolved, acknowledging is a flag with who and why, and the
 * list exports as CSV. The rule is deleted at the end, which ends its alerts.
 */
import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { E2E_USERS } from "../playwright.config";

test("a rule made on /alerts is previewed over stored data, fires on an arm's temperature after its for: 10s, stays firing with no data while the arm is offline, and is acknowledged", async ({ page, baseURL }) => {
  // The rule's `for` is 10 s, as an operator would set it.
  test.setTimeout(60_000);
  await page.goto("/alerts");
  const form = page.getByRole("form", { name: "New rule" });
  const name = `e2e hot arm ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Field").fill("temp");
  await form.getByLabel("When").selectOption("above");
  // Any temperature the simulated arm reports is above this: the rule must fire.
  await form.getByLabel("Value").fill("-100");
  await form.getByLabel("Clears at").fill("-200");
  await form.getByLabel("For seconds").fill("10");
  await form.getByLabel("Devices").fill("arm-09");
  // Before saving: what it would have done over the stored data (the arm's telemetry so far).
  await form.getByRole("button", { name: "Preview (24 h)" }).click();
  const preview = page.getByRole("region", { name: "Rule preview" });
  await expect(preview).toContainText("stored messages since");
  await expect(preview.getByRole("list", { name: "Preview transitions" })).toContainText("arm-09");
  await expect(preview.getByRole("list", { name: "Preview transitions" })).toContainText("normal → pending");
  expect(await page.getByTestId("alert-rule").filter({ hasText: name }).count()).toBe(0);
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status").filter({ hasText: `rule "${name}" saved` })).toBeVisible();
  await expect(page.getByTestId("alert-rule").filter({ hasText: name })).toContainText("temp above -100 (clears at -200) for 10 s, on arm-09");

  const row = page.getByTestId("alert-row").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-state", "pending", { timeout: 10_000 });
  await expect(row).toHaveAttribute("data-state", "firing", { timeout: 25_000 });
  await expect(page.getByTestId("alert-badge")).not.toHaveAttribute("data-firing", "0");

  await row.click();
  await expect(page).toHaveURL(/[?&]alert=/);
  const detail = page.getByRole("region", { name: "Alert", exact: true });
  const transitions = detail.getByRole("list", { name: "Transitions" });
  await expect(transitions).toContainText("pending");
  await expect(transitions).toContainText("firing");

  // The arm's status goes offline (as its Last Will would say): firing, no data, not resolved.
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-alerts" });
  try {
    await client.publishAsync("fleet/plant-a/arm-09/status", "offline", { qos: 1, retain: true });
    await expect(row).toHaveAttribute("data-state", "firing_no_data", { timeout: 20_000 });
    await expect(row).toContainText("firing, no data");
  } finally {
    await client.publishAsync("fleet/plant-a/arm-09/status", "online", { qos: 1, retain: true });
    await client.endAsync();
  }

  await detail.getByLabel("Comment").fill("looking at it");
  await detail.getByRole("button", { name: "Acknowledge" }).click();
  await expect(detail).toContainText("acknowledged by");
  await expect(detail).toContainText("looking at it");
  await expect(row).toContainText("✓");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  const csv = await (await file.createReadStream()).toArray();
  expect(Buffer.concat(csv).toString()).toContain(`${name},arm-09`);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByTestId("alert-rule").filter({ hasText: name })).toHaveCount(0);
});

test("a firing alert shows on its device's card with an inline ack (operators and admins; a viewer sees it without the button) and its threshold across the sparkline, and on its charts as a threshold line and a firing band", async ({ page, browser, baseURL }) => {
  const made = await page.request.post("/api/alert-rules", { data: { name: `e2e card ${Date.now()}`, kind: "threshold", devices: ["arm-10"], field: "temp", op: "above", value: -100, clear: -200, severity: "critical" } });
  expect(made.status()).toBe(201);
  const rule = (await made.json()) as { id: string; name: string };
  try {
    await page.goto("/");
    const card = page.locator('[data-testid="device-card"][data-device="arm-10"]');
    // The overlay is read every 10 s.
    await expect(card.getByTestId("card-alert")).toHaveAttribute("data-state", "firing", { timeout: 25_000 });
    // The card's sparkline of temp draws the rule's threshold and its clear value across it.
    await expect(card.getByTestId("sparkline")).toHaveAttribute("data-levels", "2");

    const viewer = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      expect((await viewer.request.post("/api/auth/login", { data: E2E_USERS.viewer })).status()).toBe(200);
      const viewerPage = await viewer.newPage();
      await viewerPage.goto("/");
      const seen = viewerPage.locator('[data-testid="device-card"][data-device="arm-10"]').getByTestId("card-alert");
      await expect(seen).toHaveAttribute("data-state", "firing");
      await expect(seen.getByRole("button")).toHaveCount(0);
    } finally {
      await viewer.close();
    }

    await card.getByRole("button", { name: `Acknowledge ${rule.name} on arm-10` }).click();
    await expect(card.getByTestId("card-alert")).toContainText("✓ ack");

    await page.goto("/devices/arm-10?range=5m");
    const chart = page.getByTestId("chart-temp");
    await expect(chart).toHaveAttribute("data-thresholds", "1", { timeout: 15_000 });
    await expect(chart).toHaveAttribute("data-firing-bands", "1");
    await expect(chart.locator(".recharts-reference-line")).toHaveCount(2);
    await expect(chart.locator(".recharts-reference-area")).toHaveCount(1);
  } finally {
    await page.request.delete(`/api/alert-rules/${rule.id}`);
  }
});

test("the alert API refuses a rule that would not work, naming the field", async ({ page }) => {
  const res = await page.request.post("/api/alert-rules", { data: { kind: "threshold", name: "bad", severity: "major", field: "temp", op: "above", value: "hot" } });
  expect(res.status()).toBe(400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("bad_request");
  expect(body.error.message).toMatch(/value/);
  expect((await page.request.get("/api/alerts?state=burning")).status()).toBe(400);
});
