import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { untilStored } from "./stored";

test("the device page lists stored and live alarms and logs, filtered by level, as plain text", async ({ page, baseURL }) => {
  const url = `${baseURL!.replace(/^http/, "ws")}/mqtt`;
  const client = await mqtt.connectAsync(url, { clientId: "e2e-events" });
  try {
    // Stored before the page opens: it must come from the store.
    await client.publishAsync("fleet/plant-b/arm-08/log", JSON.stringify({ seq: 9001, level: "error", msg: "gripper <b>jam</b>" }), { qos: 1 });
    // The page reads the store once as it opens, so it opens once the store has the message.
    await untilStored(page.request, "the log seq 9001", async () => {
      const body = (await (await page.request.get("/api/messages?topic=fleet/plant-b/arm-08/log&limit=10")).json()) as { messages: { seq: number | null }[] };
      return body.messages.some((m) => m.seq === 9001);
    });
    await page.goto("/devices/arm-08");
    const events = page.getByTestId("events");
    await expect(events.getByText("gripper <b>jam</b>", { exact: true })).toBeVisible();
    // Live while the page is open.
    await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
    await client.publishAsync("fleet/plant-b/arm-08/alarm", JSON.stringify({ seq: 9002, level: "critical", code: "E_STOP" }), { qos: 0 });
    await expect(events.getByText("E_STOP", { exact: true })).toBeVisible();

    // A level and the more severe ones, as log tools filter.
    await page.getByLabel("Level").selectOption("error");
    await expect(events.getByText("gripper <b>jam</b>", { exact: true })).toBeVisible();
    await expect(events.getByText("E_STOP", { exact: true })).toBeVisible();
    await page.getByLabel("Level").selectOption("critical");
    await expect(events.getByText("E_STOP", { exact: true })).toBeVisible();
    await expect(events.getByText("gripper <b>jam</b>", { exact: true })).toBeHidden();
    expect(await page.locator(".event-text b").count()).toBe(0);
  } finally {
    await client.endAsync();
  }
});

test("a chart exports its visible points as CSV", async ({ page }) => {
  await page.goto("/devices/arm-09");
  const chart = page.getByTestId("chart-temp");
  await expect(chart).toBeVisible();
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export temp as CSV" }).click();
  const file = await downloading;
  expect(file.suggestedFilename()).toBe("arm-09-temp.csv");
  const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  expect(text.split("\r\n")[0]).toBe("time,epoch_ms,device,field,value,min,max");
  expect(text.split("\r\n").length).toBeGreaterThan(2);
});

test("with a zoomed or custom window, the feed lists the events within it", async ({ page, baseURL }) => {
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-events-window" });
  try {
    await client.publishAsync("fleet/plant-b/arm-08/log", JSON.stringify({ seq: 9101, level: "info", msg: "calibrated" }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  let at = 0;
  await untilStored(page.request, "the log seq 9101", async () => {
    const body = (await (await page.request.get("/api/messages?topic=fleet/plant-b/arm-08/log&limit=10")).json()) as { messages: { seq: number | null; ts: number }[] };
    at = body.messages.find((m) => m.seq === 9101)?.ts ?? 0;
    return at > 0;
  });
  const events = page.getByTestId("events");
  await page.goto(`/devices/arm-08?range=5m&from=${at - 60_000}&to=${at + 1000}`);
  await expect(page.getByRole("region", { name: "Events" })).toContainText("in the window shown");
  await expect(events.getByText("calibrated", { exact: true })).toBeVisible();
  await page.goto(`/devices/arm-08?range=5m&from=${at - 120_000}&to=${at - 60_000}`);
  await expect(page.getByRole("region", { name: "Events" })).toContainText("in the window shown");
  await expect(page.getByText("calibrated", { exact: true })).toHaveCount(0);
});
