import { expect, test } from "@playwright/test";
import mqtt from "mqtt";

// Its own file, run after overview.spec.ts: a device of its own would change the fleet count the
// overview's first test checks.
test("pausing the live tail holds a chart and the value beside it while messages come, until resumed", async ({ page, baseURL }) => {
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-pause" });
  try {
    const send = (fields: Record<string, number>) => client.publishAsync("fleet/zz-pause/p-1/telemetry", JSON.stringify(fields), { qos: 1 });
    await send({ seq: 1, level: 1 });
    await page.goto("/devices/p-1?range=5m");
    await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
    const value = page.getByTestId("value-level");
    const chart = page.getByTestId("chart-level");
    await send({ seq: 2, level: 2 });
    await expect(value).toHaveText("2");
    await page.getByRole("button", { name: "Pause live" }).click();
    const held = await chart.getAttribute("data-last");
    // The next message brings a new field, whose button shows the tab has taken it in.
    await send({ seq: 3, level: 3, extra: 7 });
    await expect(page.getByRole("group", { name: "Fields" }).getByRole("button", { name: "extra" })).toBeVisible();
    await expect(value).toHaveText("2");
    expect(await chart.getAttribute("data-last")).toBe(held);
    await page.getByRole("button", { name: "Resume live" }).click();
    await expect(value).toHaveText("3");
    await expect(async () => expect(Number(await chart.getAttribute("data-last"))).toBeGreaterThan(Number(held))).toPass();
  } finally {
    await client.endAsync();
  }
});
