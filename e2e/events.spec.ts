import { expect, test } from "@playwright/test";
import mqtt from "mqtt";

test("the device page lists stored and live alarms and logs, filtered by level, as plain text", async ({ page, baseURL }) => {
  const url = `${baseURL!.replace(/^http/, "ws")}/mqtt`;
  const client = await mqtt.connectAsync(url, { clientId: "e2e-events" });
  try {
    // Stored before the page opens: it must come from the store.
    await client.publishAsync("fleet/plant-b/arm-08/log", JSON.stringify({ seq: 9001, level: "error", msg: "gripper <b>jam</b>" }), { qos: 1 });
    await page.goto("/devices/arm-08");
    const events = page.getByTestId("events");
    await expect(events.getByText("gripper <b>jam</b>", { exact: true })).toBeVisible();
    // Live while the page is open.
    await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
    await client.publishAsync("fleet/plant-b/arm-08/alarm", JSON.stringify({ seq: 9002, level: "critical", code: "E_STOP" }), { qos: 0 });
    await expect(events.getByText("E_STOP", { exact: true })).toBeVisible();

    await page.getByLabel("Level").selectOption("error");
    await expect(events.getByText("gripper <b>jam</b>", { exact: true })).toBeVisible();
    await expect(events.getByText("E_STOP", { exact: true })).toBeHidden();
    expect(await page.locator(".event-text b").count()).toBe(0);
  } finally {
    await client.endAsync();
  }
});
