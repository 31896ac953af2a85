import { expect, test } from "@playwright/test";
import mqtt from "mqtt";
import { untilStored } from "./stored";

const XSS = '<img src=x onerror="window.__xss=1">';

test("the topic tree shows the fleet's topics, a search narrows it, and a selected topic shows its decoded payload", async ({ page }) => {
  await page.goto("/topics");
  const tree = page.getByRole("tree");
  await expect(tree.getByRole("treeitem", { name: /^▸?\s*fleet/ })).toBeVisible();

  // Keyboard: focus the tree, open "fleet" and walk into it.
  await tree.focus();
  await page.keyboard.press("ArrowDown");
  await expect(tree.locator('[aria-selected="true"]')).toHaveAttribute("data-topic", "fleet");
  await page.keyboard.press("ArrowRight");
  await expect(tree.locator('[data-topic="fleet/plant-a"]')).toBeVisible();

  await page.getByLabel("Search topics").fill("fleet/+/arm-05/telemetry");
  await expect(tree.locator('[data-topic="fleet/plant-a/arm-05/telemetry"]')).toBeVisible();
  await expect(tree.getByRole("treeitem")).toHaveCount(4); // fleet, plant-a, arm-05, telemetry
  await tree.locator('[data-topic="fleet/plant-a/arm-05/telemetry"]').click();

  const detail = page.getByRole("region", { name: "Selected topic" });
  await expect(detail.getByRole("heading")).toHaveText("fleet/plant-a/arm-05/telemetry");
  await expect(page.getByLabel("Decoder")).toContainText("auto (JSON)");
  await expect(detail.getByText('"temp":', { exact: true })).toBeVisible();

  // The device hop's other decoders on the same bytes.
  await page.getByLabel("Decoder").selectOption("hex");
  await expect(detail.locator("pre").first()).toContainText("00000000  7b 22");
});

test("publishing a retained message makes it appear with the retained mark, shown as text, and clearing it asks first", async ({ page, baseURL }) => {
  await page.goto("/topics");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const publish = page.getByRole("region", { name: "Publish" });
  await publish.getByRole("textbox", { name: "Topic to publish" }).fill("lab/e2e/+");
  await publish.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(publish.getByRole("alert")).toContainText("must not contain + or #");

  await publish.getByRole("textbox", { name: "Topic to publish" }).fill("lab/e2e/note");
  await publish.getByRole("textbox", { name: "Payload" }).fill(XSS);
  await publish.getByLabel("QoS").selectOption("2");
  await publish.getByRole("checkbox", { name: "retain" }).check();
  await publish.getByRole("button", { name: "Publish", exact: true }).click();
  const result = publish.getByRole("status", { name: "Publish result" });
  await expect(result).toContainText("Published at QoS 2: PUBCOMP received");
  await expect(result.getByRole("listitem")).toHaveText([/^PUBLISH \+0\.0 ms$/, /^PUBREC \+/, /^PUBREL \+/, /^PUBCOMP \+/]);

  await page.getByLabel("Search topics").fill("lab/e2e");
  const row = page.locator('[data-topic="lab/e2e/note"]');
  await expect(row).toBeVisible();
  await expect(row.getByText("retained", { exact: true })).toBeVisible();
  await expect(row.getByText(XSS, { exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator("img").count()).toBe(0);

  // A new subscriber (another tab's connection) gets it from the broker with RETAIN=1.
  const login = (await (await page.request.get("/api/auth/broker-token")).json()) as { username: string; password: string };
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-topics", ...login });
  try {
    const retained = new Promise<boolean>((resolve) => client.on("message", (_t, _p, packet) => resolve(packet.retain)));
    await client.subscribeAsync("lab/e2e/note", { qos: 1 });
    expect(await retained).toBe(true);
  } finally {
    await client.endAsync();
  }

  await row.click();
  await publish.getByRole("button", { name: "Clear retained…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Clear the retained message" });
  await expect(confirm).toContainText("lab/e2e/note");
  await confirm.getByRole("button", { name: "Clear retained" }).click();
  await expect(result).toContainText("Retained message cleared at QoS 1: PUBACK received");
  await expect(row.getByText("retained", { exact: true })).toBeHidden();
});

test("a topic opens with its older messages from the store, after the ones seen live", async ({ page, baseURL }) => {
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-topic-history" });
  try {
    // Stored before the page opens: only the store has these. Retained, so the tree has the topic at once.
    for (let i = 1; i <= 3; i++) await client.publishAsync("lab/e2e/history", `value ${i}`, { qos: 1, retain: i === 3 });
    await untilStored(page.request, "the three messages of lab/e2e/history", async () => {
      const res = await page.request.get("/api/messages?topic=lab/e2e/history");
      return ((await res.json()) as { messages: unknown[] }).messages.length === 3;
    });
  } finally {
    await client.endAsync();
  }
  await page.goto("/topics");
  await page.getByLabel("Search topics").fill("lab/e2e/history");
  await page.locator('[data-topic="lab/e2e/history"]').click();
  const detail = page.getByRole("region", { name: "Selected topic" });
  // Opened with the store's first page, without asking.
  await expect(detail.getByText("nothing older is stored")).toBeVisible();
  await expect(detail.getByRole("button", { name: "Load older from the store" })).toBeDisabled();
  const rows = detail.locator("ul li");
  await expect(rows.filter({ hasText: "stored" })).toHaveCount(2); // value 3 came live (retained)
  await expect(rows.filter({ hasText: "value 1" })).toHaveCount(1);
});
