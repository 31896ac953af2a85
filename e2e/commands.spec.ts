import { expect, test } from "@playwright/test";

// arm-07 is this file's: other specs only look at it.
const DEVICE = "arm-07";

test("a move_joint filled in on the device page is sent and its lifecycle reaches succeeded, step by step", async ({ page }) => {
  await page.goto(`/devices/${DEVICE}`);
  const panel = page.getByRole("region", { name: "Commands" });
  await panel.getByLabel("command", { exact: true }).selectOption("move_joint");
  await panel.getByLabel(/^joint/).fill("2");
  await panel.getByLabel(/^angle/).fill("30");
  await panel.getByRole("button", { name: "Send move_joint" }).click();
  const lifecycle = panel.getByTestId("command-lifecycle");
  await expect(lifecycle).toHaveAttribute("data-state", "succeeded");
  // Every step before it has its time.
  for (const step of ["queued", "sent", "delivered"]) await expect(lifecycle.getByRole("listitem").filter({ hasText: step })).toContainText(/\+\d+ ms/);
  await expect(lifecycle).toContainText('{"joint":2,"target":30}');
  // The device's history lists it, and so does the fleet-wide audit log.
  await expect(panel.getByTestId("command-row").first()).toContainText("move_joint");
  await page.getByRole("link", { name: "Commands" }).click();
  const row = page.getByTestId("command-row").filter({ hasText: DEVICE }).first();
  await expect(row).toContainText("succeeded");
  await expect(row).toContainText('{"joint":2,"angle":30}');
});

test("an invalid argument is named on its field and nothing is sent", async ({ page }) => {
  const posts: string[] = [];
  page.on("request", (r) => r.method() === "POST" && r.url().includes("/api/commands") && posts.push(r.url()));
  await page.goto(`/devices/${DEVICE}`);
  const panel = page.getByRole("region", { name: "Commands" });
  await panel.getByLabel("command", { exact: true }).selectOption("move_joint");
  await panel.getByLabel(/^joint/).fill("1");
  const angle = panel.getByLabel(/^angle/);
  await angle.fill("500");
  await panel.getByRole("button", { name: "Send move_joint" }).click();
  await expect(angle).toHaveAttribute("aria-invalid", "true");
  await expect(angle).toHaveAccessibleDescription("must be a number in -180..180 ° (got 500)");
  await expect(panel.getByLabel(/^joint/)).not.toHaveAttribute("aria-invalid", "true");
  expect(posts).toEqual([]);
  // Corrected, it goes.
  await angle.fill("-20");
  await expect(angle).not.toHaveAttribute("aria-invalid");
  await panel.getByRole("button", { name: "Send move_joint" }).click();
  await expect(panel.getByTestId("command-lifecycle")).toHaveAttribute("data-state", "succeeded");
  expect(posts).toHaveLength(1);
});

test("the audit log filters by state and exports what it shows as CSV", async ({ page, request }) => {
  const sent = await request.post("/api/commands", { data: { device: DEVICE, name: "set_speed", args: { percent: 55 } } });
  expect(sent.status()).toBe(202);
  const { id } = (await sent.json()) as { id: string };
  await expect.poll(async () => ((await (await request.get(`/api/commands/${id}`)).json()) as { state: string }).state).toBe("succeeded");
  await page.goto("/commands?state=succeeded&name=set_speed");
  await expect(page.getByTestId("command-row").first()).toContainText("set_speed");
  await expect(page.getByTestId("command-row").filter({ hasNotText: "succeeded" })).toHaveCount(0);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const csv = (await import("node:fs")).readFileSync(file, "utf8").split("\r\n");
  expect(csv[0]).toMatch(/^created,created_ms,id,actor,device,command,args,state/);
  expect(csv.some((l) => l.includes(id) && l.includes("set_speed") && l.includes(",succeeded,"))).toBe(true);
});
