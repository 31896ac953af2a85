import { expect, test, type WebSocketRoute } from "@playwright/test";

test("a lost broker connection shows a banner, and once back the chart's gap is filled from history", async ({ page }) => {
  let allow = true;
  const sockets: WebSocketRoute[] = [];
  // Every MQTT WebSocket of the page goes through here, so the test can cut it and refuse new ones.
  await page.routeWebSocket(/\/mqtt$/, (ws) => {
    if (!allow) return ws.close();
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto("/devices/arm-07?range=5m");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const chart = page.getByTestId("chart-temp");
  await expect(chart).toBeVisible();

  allow = false;
  const cut = Date.now();
  for (const ws of sockets) await ws.close();
  const banner = page.getByTestId("connection-banner");
  await expect(banner).toBeVisible();
  // Stay away through two failed attempts: 1 s and 2 s of backoff, six missed telemetry messages.
  await expect(banner).toContainText("attempt 3", { timeout: 15_000 });
  expect(Number(await chart.getAttribute("data-max-gap"))).toBeLessThan(3000);

  allow = true;
  const outage = Date.now() - cut;
  expect(outage).toBeGreaterThanOrEqual(3000);
  await banner.getByRole("button", { name: "Retry now" }).click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const back = Date.now();
  // Wait for live telemetry from after the reconnect, so the chart spans the outage.
  await expect(async () => expect(Number(await chart.getAttribute("data-last"))).toBeGreaterThan(back + 1000)).toPass();
  // Live points resume after the hole; history fetched on reconnect fills it, so no step in the
  // chart is as wide as the outage (buckets are 750 ms at 5 minutes over 400 points; telemetry
  // comes every 500 ms, a busy machine may stretch that).
  await expect(async () => {
    const gap = Number(await chart.getAttribute("data-max-gap"));
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(outage - 1000);
  }).toPass();
});
