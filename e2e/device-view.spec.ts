import { expect, test, type Page } from "@playwright/test";
import mqtt from "mqtt";

/** Waits until the store holds this device's temperature from at least `ms` ago. */
async function historyOlderThan(page: Page, device: string, ms: number) {
  await expect(async () => {
    const now = Date.now();
    // Sub-minute buckets, so the answer comes from raw samples: a minute rollup starts at its
    // minute and would look older than the samples in it.
    const res = await page.request.get(`/api/series?device=${device}&field=temp&from=${now - 60_000}&to=${now - ms}&points=100`);
    expect(res.status()).toBe(200);
    expect(((await res.json()) as { points: unknown[] }).points.length).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
}

test("a deep link with a custom from/to opens that window, with no live point past its end, through a reload", async ({ page }) => {
  await historyOlderThan(page, "arm-11", 4000);
  const to = Date.now() - 3000;
  const from = to - 10 * 60_000;
  await page.goto(`/devices/arm-11?range=1h&from=${from}&to=${to}&fields=temp`);
  const chart = page.getByTestId("chart-temp");
  await expect(chart).toHaveAttribute("data-from", String(from));
  await expect(chart).toHaveAttribute("data-to", String(to));
  await expect(page.getByRole("button", { name: "custom…" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("button", { name: "1 h", exact: true })).toHaveAttribute("aria-pressed", "false");
  await expect(page.getByTestId("window")).toBeVisible();
  // Telemetry keeps coming; the fixed window must not follow it.
  const value = page.getByTestId("value-temp");
  await expect(value).toHaveText(/\d/);
  const before = await value.textContent();
  await expect(value).not.toHaveText(before!);
  expect(Number(await chart.getAttribute("data-last"))).toBeLessThanOrEqual(to);
  expect(Number(await chart.getAttribute("data-first"))).toBeGreaterThanOrEqual(from);

  await page.reload();
  await expect(page.getByTestId("chart-temp")).toHaveAttribute("data-from", String(from));
  await page.getByRole("button", { name: "Reset to 1 h" }).click();
  await expect(page).toHaveURL(/\?range=1h&fields=temp$/);
  await expect(page.getByRole("button", { name: "1 h", exact: true })).toHaveAttribute("aria-pressed", "true");
});

test("a custom range typed into the form is validated and lands in the URL", async ({ page }) => {
  await page.goto("/devices/arm-11?range=5m&fields=temp");
  // The form opens and closes by keyboard, and Escape leaves the view as it was.
  const custom = page.getByRole("button", { name: "custom…" });
  await custom.focus();
  await page.keyboard.press("Enter");
  const form = page.getByRole("form", { name: "Custom range" });
  await expect(form.getByLabel("From")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(form).toBeHidden();
  await expect(custom).toBeFocused();
  await custom.click();
  await form.getByLabel("From").fill("2026-01-02T10:00:00");
  await form.getByLabel("To").fill("2026-01-02T09:00:00");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(form.getByRole("alert")).toHaveText("From must be before To.");
  await expect(page).toHaveURL(/\?range=5m&fields=temp$/);

  await form.getByLabel("To").fill("2026-01-02T11:30:00");
  await form.getByLabel("To").press("Enter");
  await expect(form).toBeHidden();
  const from = await page.evaluate(() => new Date("2026-01-02T10:00:00").getTime());
  const to = await page.evaluate(() => new Date("2026-01-02T11:30:00").getTime());
  await expect(page).toHaveURL(new RegExp(`\\?range=5m&from=${from}&to=${to}&fields=temp$`));
  // Nothing was stored then: the chart says so rather than drawing the live tail.
  await expect(page.getByText("no data in this range")).toBeVisible();
});

test("dragging across a chart zooms into that stretch; Escape cancels a drag; Reset goes back to the range", async ({ page }) => {
  // A window the store holds data all across, so wherever the drag lands there are points to show;
  // on a server that just started, that takes the window's width of waiting.
  test.setTimeout(45_000);
  await historyOlderThan(page, "arm-12", 20_000);
  const shownTo = Date.now() - 1000;
  const shownFrom = shownTo - 20_000;
  await page.goto(`/devices/arm-12?range=5m&from=${shownFrom}&to=${shownTo}&fields=temp`);
  const chart = page.getByTestId("chart-temp");
  await expect(chart).toHaveAttribute("data-from", String(shownFrom));
  const plot = chart.locator(".recharts-surface");
  const box = (await plot.boundingBox())!;
  const y = box.y + box.height / 2;

  // Escape part-way through a drag leaves the view as it was.
  await page.mouse.move(box.x + box.width * 0.5, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await expect(chart).toHaveAttribute("data-selecting", "true");
  await expect(chart.locator(".recharts-reference-area")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(chart).not.toHaveAttribute("data-selecting", "true");
  await page.mouse.up();
  await expect(page).toHaveURL(/\?range=5m&from=\d+&to=\d+&fields=temp$/);
  expect(new URL(page.url()).searchParams.get("from")).toBe(String(shownFrom));

  // Right to left works as well as left to right.
  await page.mouse.move(box.x + box.width * 0.9, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, y, { steps: 8 });
  await page.mouse.up();
  await expect(async () => expect(new URL(page.url()).searchParams.get("from")).not.toBe(String(shownFrom))).toPass();
  const url = new URL(page.url());
  const from = Number(url.searchParams.get("from"));
  const to = Number(url.searchParams.get("to"));
  expect(from).toBeGreaterThan(shownFrom);
  expect(to).toBeLessThan(shownTo);
  expect(to - from).toBeGreaterThan(5000);
  await expect(chart).toHaveAttribute("data-from", String(from));
  await expect(chart).toHaveAttribute("data-to", String(to));
  expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(2);

  await page.getByRole("button", { name: "Reset to live 5 min" }).click();
  await expect(page).toHaveURL(/\?range=5m&fields=temp$/);
  await expect(page.getByRole("button", { name: "live 5 min" })).toHaveAttribute("aria-pressed", "true");
  await expect(chart).not.toHaveAttribute("data-from", String(from));
});

test("fields show their unit, and the decimals chosen for one field hold on its value, axis and through a reload", async ({ page }) => {
  await page.goto("/devices/arm-10?range=5m&fields=current,joints.2,temp");
  await expect(page.getByTestId("value-temp")).toHaveText(/^-?\d+(\.\d+)?\s°C$/);
  await expect(page.getByTestId("value-current")).toHaveText(/^-?\d+(\.\d+)?\sA$/);
  await expect(page.getByTestId("value-joints.2")).toHaveText(/^-?\d+(\.\d+)?\s°$/);

  await page.getByLabel("Decimals for temp").selectOption("3");
  await expect(page).toHaveURL(/&decimals=temp:3$/);
  await expect(page.getByTestId("value-temp")).toHaveText(/^-?\d+\.\d{3}\s°C$/);
  // The y axis ticks carry the unit and the chosen decimals too.
  await expect(page.getByTestId("chart-temp").locator("svg text").filter({ hasText: "°C" }).first()).toHaveText(/^-?\d+\.\d{3}\s°C$/);
  await page.reload();
  await expect(page.getByLabel("Decimals for temp")).toHaveValue("3");
  await expect(page.getByTestId("value-temp")).toHaveText(/^-?\d+\.\d{3}\s°C$/);
  await page.getByLabel("Decimals for temp").selectOption("auto");
  await expect(page).toHaveURL(/\?range=5m&fields=current,joints.2,temp$/);
});

test("the status timeline shows the device online from the store, and an offline spell as it happens", async ({ page, baseURL }) => {
  await page.goto("/devices/arm-01?range=5m");
  const timeline = page.getByTestId("status-timeline");
  // The simulated arm said `online` (retained) when it connected; the store holds that message.
  await expect(timeline.locator("li").last()).toHaveAttribute("data-status", "online");
  await expect(page.getByTestId("status-summary")).toHaveText(/^online 100% of the known time/);
  await expect(timeline.locator('[data-status="offline"]')).toHaveCount(0);

  // The arm's status goes `offline` (as its Last Will would say) and back while the page is open.
  // Another device would change the fleet's count the overview tests check, so the test borrows
  // this arm's status topic and leaves it `online`, as the arm itself has it.
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-status" });
  try {
    await client.publishAsync("fleet/plant-a/arm-01/status", "offline", { qos: 1, retain: true });
    await expect(timeline.locator("li").last()).toHaveAttribute("data-status", "offline");
    // Less than all of it, and never rounded up to say so: "99.8%", not "100%".
    await expect(page.getByTestId("status-summary")).toHaveText(/^online \d{1,2}(\.\d)?% of the known time/);
  } finally {
    await client.publishAsync("fleet/plant-a/arm-01/status", "online", { qos: 1, retain: true });
    await client.endAsync();
  }
  await expect(timeline.locator("li").last()).toHaveAttribute("data-status", "online");
  await expect(timeline.locator('[data-status="offline"]')).toHaveCount(1);
});

test("the last field shown cannot be turned off, and a link naming no field the device has shows them all, saying so", async ({ page }) => {
  await page.goto("/devices/arm-02?range=5m&fields=temp");
  const picker = page.getByRole("group", { name: "Fields" });
  await expect(page.getByTestId("chart-temp")).toBeVisible();
  await picker.getByRole("button", { name: "temp", exact: true }).click();
  await expect(picker.getByRole("button", { name: "temp", exact: true })).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/fields=temp$/);
  await expect(page.getByTestId("chart-temp")).toBeVisible();

  await page.goto("/devices/arm-02?range=5m&fields=nope");
  await expect(page.getByTestId("fields-unknown")).toContainText("(nope)");
  await expect(page.getByTestId("chart-temp")).toBeVisible();
  // Picking from there starts from all of them shown: the one clicked goes.
  await picker.getByRole("button", { name: "temp", exact: true }).click();
  await expect(page.getByTestId("chart-temp")).toHaveCount(0);
  await expect(page.getByTestId("fields-unknown")).toHaveCount(0);
});

test("a link whose range or window cannot be read says so, and shows the live range instead", async ({ page }) => {
  await page.goto("/devices/arm-02?range=bogus&from=abc&to=def");
  const note = page.getByTestId("view-problems");
  await expect(note).toContainText('range "bogus" is not one of');
  await expect(note).toContainText("From is not a date and time");
  await expect(note).toContainText("showing live 5 min instead");
  await expect(page.getByTestId("chart-temp")).toBeVisible();
  // Picking a range writes a good link, and the note goes.
  await page.getByRole("button", { name: "1 h", exact: true }).click();
  await expect(page).toHaveURL(/\?range=1h$/);
  await expect(note).toHaveCount(0);
});
