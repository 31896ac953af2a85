/**
 * Alerts as an operator meets them: a threshold rule made on /alerts fires on the demo fleet's
 * own telemetry (pending, then firing, counted in the header), an arm that goes offline while it
 * fires is "firing, no data" and never resolved, acknowledging is a flag with who and why, and the
 * list exports as CSV. The rule is deleted at the end, which ends its alerts.
 */
import { expect, test } from "@playwright/test";
import mqtt from "mqtt";

test("a rule made on /alerts fires on an arm's temperature, stays firing with no data while the arm is offline, and is acknowledged", async ({ page, baseURL }) => {
  await page.goto("/alerts");
  const form = page.getByRole("form", { name: "New rule" });
  const name = `e2e hot arm ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Field").fill("temp");
  await form.getByLabel("When").selectOption("above");
  // Any temperature the simulated arm reports is above this: the rule must fire.
  await form.getByLabel("Value").fill("-100");
  await form.getByLabel("Clears at").fill("-200");
  await form.getByLabel("For seconds").fill("1");
  await form.getByLabel("Devices").fill("arm-09");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status").filter({ hasText: `rule "${name}" saved` })).toBeVisible();
  await expect(page.getByTestId("alert-rule").filter({ hasText: name })).toContainText("temp above -100 (clears at -200) for 1 s, on arm-09");

  const row = page.getByTestId("alert-row").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-state", "firing", { timeout: 20_000 });
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

test("the alert API refuses a rule that would not work, naming the field", async ({ page }) => {
  const res = await page.request.post("/api/alert-rules", { data: { kind: "threshold", name: "bad", severity: "major", field: "temp", op: "above", value: "hot" } });
  expect(res.status()).toBe(400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("bad_request");
  expect(body.error.message).toMatch(/value/);
  expect((await page.request.get("/api/alerts?state=burning")).status()).toBe(400);
});
