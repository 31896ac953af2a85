import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { untilStored } from "./stored";

test("the overview shows the simulated fleet online, with values that change without a reload", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const cards = page.getByTestId("device-card");
  await expect(cards).toHaveCount(12);
  await expect(page.getByTestId("fleet-counts")).toHaveText("12 devices · 12 online");
  const first = page.locator('[data-device="arm-01"]');
  await expect(first.getByTestId("status")).toHaveText(/online/);
  const temp = first.getByTestId("value-temp");
  await expect(temp).toHaveText(/\d/);
  const before = await temp.textContent();
  await expect(temp).not.toHaveText(before!);
  // The sparkline draws once two points have arrived.
  await expect(first.getByTestId("sparkline")).toHaveAttribute("data-state", "drawn");
  await expect(first.getByText("waiting for data…")).toBeHidden();
  if (process.env.FLEETSCOPE_SCREENSHOT) await page.screenshot({ path: "docs/img/overview.png" });
});

test("a device published by any MQTT client appears in the UI and the API", async ({ page, request, baseURL }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const id = `probe-${Date.now().toString(36)}`;
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: `e2e-${id}` });
  try {
    await client.publishAsync(`fleet/lab/${id}/telemetry`, JSON.stringify({ seq: 1, temp: 41.5 }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  const card = page.locator(`[data-device="${id}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId("value-temp")).toHaveText("41.5");
  await expect(async () => {
    const body = (await (await request.get("/api/devices")).json()) as { devices: { id: string; fields: string[] }[] };
    expect(body.devices.find((d) => d.id === id)).toMatchObject({ fields: ["temp"] });
  }).toPass();
});

test("a device page shows each field's latest value and a live chart", async ({ page }) => {
  await page.goto("/");
  await page.locator('[data-device="arm-02"]').getByRole("link", { name: "arm-02" }).click();
  await expect(page).toHaveURL(/\/devices\/arm-02$/);
  await expect(page.getByRole("heading", { name: "arm-02", exact: true })).toBeVisible();
  await expect(page.getByTestId("value-temp")).toHaveText(/\d/);
  await expect(page.getByTestId("value-joints.5")).toHaveText(/\d/);
  await expect(page.locator("svg path.recharts-curve").first()).toBeVisible();
});

test("a device chart holds history from before the page opened, grows live, and keeps its range in the URL", async ({ page, request }) => {
  // History exists once the store has a few seconds of this arm's telemetry.
  await expect(async () => {
    const now = Date.now();
    const body = (await (await request.get(`/api/series?device=arm-06&field=temp&from=${now - 60_000}&to=${now}&points=60`)).json()) as { points: unknown[] };
    expect(body.points.length).toBeGreaterThan(2);
  }).toPass();
  const opened = Date.now();
  await page.goto("/devices/arm-06?range=1h");
  const chart = page.getByTestId("chart-temp");
  await expect(chart).toBeVisible();
  expect(Number(await chart.getAttribute("data-first"))).toBeLessThan(opened);
  const before = Number(await chart.getAttribute("data-points"));
  await expect(async () => expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(before)).toPass();
  await expect(page.getByRole("button", { name: "1 h" })).toHaveAttribute("aria-pressed", "true");

  await page.getByRole("button", { name: "24 h" }).click();
  await expect(page).toHaveURL(/\/devices\/arm-06\?range=24h$/);
  // Hide every field but temp and current: the URL carries the choice through a reload.
  for (const f of ["joints.0", "joints.1", "joints.2", "joints.3", "joints.4", "joints.5", "speed"]) {
    await page.getByRole("group", { name: "Fields" }).getByRole("button", { name: f, exact: true }).click();
  }
  await expect(page).toHaveURL(/\?range=24h&fields=current,temp$/);
  await page.reload();
  await expect(page.getByRole("button", { name: "24 h" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("chart-temp")).toBeVisible();
  await expect(page.getByTestId("chart-joints.0")).toHaveCount(0);
});

test("topic names are shown as text, never as HTML", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const id = "<img src=x onerror=alert(1)>";
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  const client = await mqtt.connectAsync(`${page.url().replace(/^http/, "ws").replace(/\/$/, "")}/mqtt`);
  await client.publishAsync(`fleet/lab/${id}/telemetry`, JSON.stringify({ seq: 1, temp: 1 }), { qos: 1 });
  await client.endAsync();
  await expect(page.getByText(id, { exact: true })).toBeVisible();
  expect(dialogs).toBe(0);
  expect(await page.locator("img").count()).toBe(0);
});

test("the overview counts alarms of the last hour, shows message rates, and sorts offline devices first", async ({ page, baseURL }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-overview-sort" });
  try {
    await client.publishAsync("fleet/plant-b/arm-10/alarm", JSON.stringify({ seq: 1, level: "warning", code: "TEST" }), { qos: 1 });
    await client.publishAsync("fleet/zz/down-1/status", "offline", { qos: 1 });
  } finally {
    await client.endAsync();
  }
  await expect(page.locator('[data-device="arm-10"]').getByTestId("alarms")).toHaveText(/^\d+ alarms?$/);
  await expect(page.getByTestId("fleet-health")).toContainText(/[1-9]\d* alarms? in the last hour/);
  await expect(page.locator('[data-device="arm-01"]').getByTestId("rate")).toHaveText(/msg\/s$/);

  await page.getByLabel("group by site").uncheck();
  await page.getByLabel("Sort").selectOption("status");
  await expect(page.getByTestId("device-card").first().getByTestId("status")).toHaveText(/offline/);
  await page.getByLabel("Sort").selectOption("name");
  await expect(page.getByTestId("device-card").first().getByTestId("status")).not.toHaveText(/offline/);
});

test("a fleet of hundreds renders only the cards near the viewport, and scrolling reaches the last", async ({ page, baseURL }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-many" });
  try {
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => client.publishAsync(`fleet/zz-many/m-${String(i).padStart(3, "0")}/telemetry`, JSON.stringify({ seq: 1, temp: i }), { qos: 1 })),
    );
  } finally {
    await client.endAsync();
  }
  await page.getByLabel("Filter devices").fill("zz-many");
  await expect(page.getByTestId("fleet-counts")).toContainText(/^3\d\d devices/);
  const cards = page.getByTestId("device-card");
  await expect(cards.first()).toBeVisible();
  expect(await cards.count()).toBeLessThan(100);
  await page.locator("main").click({ position: { x: 5, y: 5 } }); // out of the filter box, so keys scroll
  await page.keyboard.press("End");
  await expect(page.locator('[data-device="m-299"]')).toBeVisible();
  expect(await cards.count()).toBeLessThan(100);
});

test("a card scrolled into view shows its device's latest value, however far off screen it was when the value came", async ({ page, baseURL }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByLabel("Filter devices").fill("zz-scrolled");
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-scrolled" });
  const round = (seq: number, value: (i: number) => number) =>
    Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        client.publishAsync(`fleet/zz-scrolled/s-${String(i).padStart(3, "0")}/telemetry`, JSON.stringify({ seq, level: value(i) }), { qos: 1 }),
      ),
    );
  try {
    // The counts are the whole fleet's, other tests' devices too (one worker: none arrive meanwhile),
    // read once the known devices have loaded.
    await expect(page.getByRole("status")).toHaveText(/No device matches/);
    const before = Number((await page.getByTestId("fleet-counts").textContent())!.split(" ")[0]);
    await round(1, (i) => i);
    await expect(page.getByTestId("fleet-counts")).toContainText(new RegExp(`^${before + 120} devices`));
    await expect(page.locator('[data-device="s-000"]').getByTestId("value-level")).toHaveText("0");
    // The last card mounted lies in the rows rendered below the window for scrolling.
    await expect(page.getByTestId("device-card").last()).not.toBeInViewport();
    const farId = (await page.getByTestId("device-card").last().getAttribute("data-device"))!;
    const far = page.locator(`[data-device="${farId}"]`);
    await round(2, (i) => 500 + i);
    await expect(page.locator('[data-device="s-000"]').getByTestId("value-level")).toHaveText("500");
    await far.scrollIntoViewIfNeeded();
    await expect(far.getByTestId("value-level")).toHaveText(String(500 + Number(farId.slice(2))));
    await page.locator("main").click({ position: { x: 5, y: 5 } }); // out of the filter box, so keys scroll
    await page.keyboard.press("End");
    await expect(page.locator('[data-device="s-119"]').getByTestId("value-level")).toHaveText("619");
  } finally {
    await client.endAsync();
  }
});

test("a device that reports rarely shows its stored latest values on a freshly opened overview", async ({ page, baseURL }) => {
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-quiet" });
  try {
    await client.publishAsync("fleet/zz-quiet/q-1/telemetry", JSON.stringify({ seq: 1, level: 42.5, rpm: 900 }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  await untilStored(page.request, "q-1's telemetry", async () => {
    const res = await page.request.get("/api/devices/q-1");
    return res.ok() && ((await res.json()) as { values: Record<string, unknown> }).values.level !== undefined;
  });
  // Opened after the device went quiet: nothing live will come, only what the store has.
  await page.goto("/");
  await page.getByLabel("Filter devices").fill("zz-quiet");
  const card = page.locator('[data-device="q-1"]');
  await expect(card.getByTestId("value-level")).toHaveText("42.5");
  await expect(card.getByTestId("value-rpm")).toHaveText("900");
});

test("the filter, sort and grouping live in the URL: a reload or a shared link opens the same list", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByLabel("Filter devices").fill("plant-b");
  await page.getByLabel("Sort").selectOption("status");
  await page.getByLabel("group by site").uncheck();
  await expect(page).toHaveURL(/\/\?q=plant-b&sort=status&group=none$/);
  await page.reload();
  await expect(page.getByLabel("Filter devices")).toHaveValue("plant-b");
  await expect(page.getByLabel("Sort")).toHaveValue("status");
  await expect(page.getByLabel("group by site")).not.toBeChecked();
  await expect(page.getByTestId("device-card").first()).toBeVisible();
  await expect(page.locator("h2.site")).toHaveCount(0);
  // Back to the defaults, back to the bare address.
  await page.getByLabel("Filter devices").fill("");
  await page.getByLabel("Sort").selectOption("name");
  await page.getByLabel("group by site").check();
  await expect(page).toHaveURL(/\/$/);
});
