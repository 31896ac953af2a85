import { expect, test } from "@playwright/test";
import mqtt from "mqtt";

test("a QoS 2 message for a device shows its four-step handshake and the PUBLISH's fixed header in the Delivery panel", async ({ page, baseURL }) => {
  await page.goto("/devices/arm-06");
  const delivery = page.getByTestId("delivery");
  await expect(delivery.getByText(/live\)/)).toBeVisible();

  const hop = "e2e-delivery-q2";
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: hop });
  try {
    await client.publishAsync("fleet/plant-a/arm-06/log", JSON.stringify({ seq: 7001, level: "info", msg: "exactly once" }), { qos: 2 });
  } finally {
    await client.endAsync();
  }

  const detail = delivery.getByRole("region", { name: "Packet detail" });
  await expect(detail.getByRole("heading")).toHaveText(`PUBLISH on ${hop} (client → broker)`);
  const header = detail.getByRole("table", { name: "Fixed header" });
  await expect(header).toContainText("publish (3)");
  await expect(header).toContainText("DUP=0 QoS=2 RETAIN=0");
  // 0011 0100: PUBLISH, DUP 0, QoS 10, RETAIN 0.
  await expect(header.getByRole("row").nth(1)).toHaveText("00110100");
  const arrows = detail.locator(`[data-testid="sequence-arrow"][data-hop="${hop}"]`);
  await expect(arrows).toHaveCount(4);
  expect(await arrows.evaluateAll((els) => els.map((e) => e.getAttribute("data-packet")))).toEqual(["publish", "pubrec", "pubrel", "pubcomp"]);
  await expect(detail).toContainText("complete");
  await expect(delivery.getByRole("row").filter({ has: page.getByRole("cell", { name: "2", exact: true }) }).first()).toBeVisible();
});

test("the wire view lists packets, filters by type, and explains a selected one", async ({ page }) => {
  await page.goto("/wire?device=arm-02");
  const table = page.getByRole("table", { name: "Packets" });
  await expect(table.locator("tbody tr").first()).toBeVisible();
  await page.getByLabel("Packet types").selectOption({ label: "PUBLISH" });
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-type", "publish");
  expect(await table.locator("tbody tr").evaluateAll((rows) => rows.every((r) => r.getAttribute("data-type") === "publish"))).toBe(true);
  await page.getByRole("button", { name: "Pause" }).click();
  await table.locator("tbody tr").first().click();
  await expect(page.getByRole("region", { name: "Packet detail" }).getByRole("table", { name: "Fixed header" })).toContainText("publish (3)");
});

test("the wire view can add this tab's own MQTT.js client as a hop of its own", async ({ page }) => {
  await page.goto("/wire");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByRole("checkbox", { name: "this tab's client too" }).check();
  // Its PUBLISH deliveries: the handshake view also lists any acknowledgements it sends.
  const own = page.getByRole("table", { name: "Packets" }).locator('tbody tr[data-type="publish"]', { hasText: /^.*this tab \(fleetscope-ui-/ });
  await expect(own.first()).toBeVisible();
  await own.first().click();
  const detail = page.getByRole("region", { name: "Packet detail" });
  await expect(detail.getByRole("heading")).toContainText("on this tab (fleetscope-ui-");
  await expect(detail.getByRole("table", { name: "Fixed header" })).toContainText("publish (3)");
});

test("the Delivery panel counts live loss and duplicates from the seq of the messages the tab receives", async ({ page, baseURL }) => {
  // A topic of its own under this file's device: a stream the simulator's do not mix into, and
  // no device more for the overview to count.
  await page.goto("/devices/arm-06");
  const figures = page.getByTestId("delivery").getByRole("table", { name: "Delivery by QoS" });
  await expect(figures).toHaveAttribute("data-live-seq", "subscribed");
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-seq-pub" });
  try {
    // 4 never comes; 6 comes twice (as a device re-sending after a restart of its session would).
    for (const seq of [1, 2, 3, 5, 6, 6, 7]) await client.publishAsync("fleet/plant-b/arm-06/e2e-seq", JSON.stringify({ seq }), { qos: 2 });
  } finally {
    await client.endAsync();
  }
  // QoS 2: the one level no other stream of this device uses (its logs are QoS 1, its telemetry 0).
  const qos2 = figures.locator('tr[data-qos="2"]');
  await expect(qos2.getByTestId("live-received")).toHaveText("6");
  await expect(qos2.getByTestId("live-lost")).toHaveText("1");
  await expect(qos2.getByTestId("live-duplicates")).toHaveText("1");
});
