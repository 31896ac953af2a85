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

test("the commands API: definitions on the device, every wrong request named in the error shape, idempotent retries", async ({ request }) => {
  const device = (await (await request.get(`/api/devices/${DEVICE}`)).json()) as { commands: { name: string; args: { properties: Record<string, unknown> } }[] };
  const names = device.commands.map((c) => c.name);
  expect(names).toEqual(expect.arrayContaining(["stop", "move_joint", "home"]));
  expect(Object.keys(device.commands.find((c) => c.name === "move_joint")!.args.properties)).toEqual(["joint", "angle"]);

  const post = (data: unknown, headers?: Record<string, string>) => request.post("/api/commands", { data: data as object, headers });
  const cases: [unknown, number, RegExp][] = [
    [{ device: DEVICE, name: "move_joint", args: { joint: 9, angle: 0 } }, 400, /^args\.joint: must be a whole number in 0\.\.5/],
    [{ device: DEVICE, name: "move_joint", args: { joint: 1 } }, 400, /^args\.angle: is required/],
    [{ device: DEVICE, name: "fly" }, 400, /^name: arm-07 has no command "fly" \(it has /],
    [{ device: "no-such-arm", name: "stop" }, 404, /no device "no-such-arm"/],
    [{ device: "a/b", name: "stop" }, 400, /^device: /],
    [{ device: DEVICE, name: "stop", extra: 1 }, 400, /extra/],
    [{ device: DEVICE, name: "stop", timeoutMs: 5 }, 400, /^timeoutMs: must be at least 100/],
  ];
  for (const [data, status, message] of cases) {
    const res = await post(data);
    expect(res.status(), JSON.stringify(data)).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message, JSON.stringify(data)).toMatch(message);
  }
  const notJson = await request.post("/api/commands", { data: "{not json", headers: { "content-type": "application/json" } });
  expect(notJson.status()).toBe(400);
  const huge = await request.post("/api/commands", { data: JSON.stringify({ device: DEVICE, name: "stop", args: { x: "y".repeat(100_000) } }), headers: { "content-type": "application/json" } });
  expect(huge.status()).toBe(413);
  expect(((await huge.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");

  // A retry with the same key is the same command; the same key for another request is a conflict.
  const key = `e2e-${Date.now()}`;
  const first = await post({ device: DEVICE, name: "start" }, { "idempotency-key": key });
  expect(first.status()).toBe(202);
  const again = await post({ device: DEVICE, name: "start" }, { "idempotency-key": key });
  expect(again.status()).toBe(202);
  expect(again.headers()["idempotent-replayed"]).toBe("true");
  expect(((await again.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
  expect((await post({ device: DEVICE, name: "stop" }, { "idempotency-key": key })).status()).toBe(409);

  expect((await request.get("/api/commands?state=exploded")).status()).toBe(400);
  expect((await request.get("/api/commands?limit=0")).status()).toBe(400);
  expect((await request.get("/api/commands/not a id")).status()).toBe(400);
  expect((await request.get("/api/commands/00000000-0000-0000-0000-000000000000")).status()).toBe(404);
});

test("a command body that is not JSON is refused with 415, so no web page can send one cross-site", async ({ request }) => {
  const res = await request.post("/api/commands", { data: JSON.stringify({ device: DEVICE, name: "stop" }), headers: { "content-type": "text/plain" } });
  expect(res.status()).toBe(415);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
});

test("the Stop in the device header stops the arm and says so; start lets it move again", async ({ page, request }) => {
  await page.goto(`/devices/${DEVICE}`);
  await page.getByRole("group", { name: "Emergency stop" }).getByRole("button", { name: "Stop" }).click();
  await expect(page.getByTestId("stop-state")).toHaveText("stop succeeded");
  // Stopped, the arm refuses to move; the refusal is its own words.
  const move = await request.post("/api/commands", { data: { device: DEVICE, name: "move_joint", args: { joint: 0, angle: 1 } } });
  const { id } = (await move.json()) as { id: string };
  await expect.poll(async () => ((await (await request.get(`/api/commands/${id}`)).json()) as { error?: string }).error).toBe("arm is stopped; send start first");
  const start = await request.post("/api/commands", { data: { device: DEVICE, name: "start" } });
  const started = (await start.json()) as { id: string };
  await expect.poll(async () => ((await (await request.get(`/api/commands/${started.id}`)).json()) as { state: string }).state).toBe("succeeded");
});

test("a command POSTed from another origin is refused, even with a session", async ({ request }) => {
  const res = await request.post("/api/commands", { headers: { origin: "http://evil.example" }, data: { device: DEVICE, name: "stop" } });
  expect(res.status()).toBe(403);
});
