/**
 * Wire capture as an operator meets it: "Open capture…" on /wire uploads a tcpdump file, the page
 * shows what it holds (connections, flows, packets in the trace's own table) and keeps it at a
 * link; a cut or malformed file is imported with what could be read and says what is wrong; a
 * file past FLEETSCOPE_CAPTURE_MAX_MB is refused, and the server stays up.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";

const FIXTURES = "lib/capture/fixtures";

test("an uploaded capture opens on /wire with its connections, flows and packets, at a link of its own", async ({ page }) => {
  await page.goto("/wire");
  await page.getByLabel("Capture file").setInputFiles(`${FIXTURES}/mqtt311.pcap`);
  await expect(page).toHaveURL(/\/wire\?capture=cap-/);
  const summary = page.getByRole("region", { name: "Capture summary" });
  await expect(summary.getByRole("heading")).toHaveText("mqtt311.pcap");
  await expect(summary.getByTestId("capture-figures")).toContainText("MQTT packets");
  await expect(summary.getByRole("table", { name: "Connections" })).toContainText("arm-01");
  // The packets in the same table the live trace fills, handshakes by default.
  const rows = page.getByRole("table", { name: "Packets" }).locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  await expect(page.getByRole("table", { name: "Packets" })).toContainText("PUBLISH");
  const url = page.url();
  await page.reload();
  await expect(page).toHaveURL(url);
  await expect(summary.getByRole("heading")).toHaveText("mqtt311.pcap");

  const id = new URL(url).searchParams.get("capture")!;
  const list = (await (await page.request.get("/api/captures")).json()) as { captures: { id: string; name: string }[] };
  expect(list.captures.find((c) => c.id === id)).toMatchObject({ name: "mqtt311.pcap" });
  const packets = (await (await page.request.get(`/api/captures/${id}/packets?type=PUBLISH&limit=2`)).json()) as { packets: { type: string; hop: string }[]; next: string | null };
  expect(packets.packets.map((p) => p.type)).toEqual(["publish", "publish"]);
  expect(packets.next).not.toBeNull();
  expect((await page.request.get(`/api/captures/${id}/packets?qos=3`)).status()).toBe(400);
  const csv = await page.request.get(`/api/captures/${id}/flows`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^first_time,first_epoch_ms,client,/);
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes(",complete,") || l.includes(",in_flight,") || l.includes(",stuck,"))).toBe(true);
  expect((await page.request.delete(`/api/captures/${id}`)).status()).toBe(200);
  expect((await page.request.get(`/api/captures/${id}`)).status()).toBe(404);
});

test("a cut file, a file that is no capture, and one past the limit each say what is wrong, and the server stays up", async ({ page }) => {
  const cut = await page.request.post("/api/captures?name=cut.pcap", { data: readFileSync(`${FIXTURES}/mqtt5-truncated.pcap`), headers: { "content-type": "application/octet-stream" } });
  expect(cut.status()).toBe(201);
  const c = (await cut.json()) as { mqttPackets: number; truncated: number; problems: { message: string }[] };
  expect(c.mqttPackets).toBeGreaterThan(0);
  expect(c.problems.map((p) => p.message).join(" ")).toMatch(/truncat|cut/i);

  const junk = await page.request.post("/api/captures?name=notes.txt", { data: Buffer.from("this is not a capture\n".repeat(100)), headers: { "content-type": "application/octet-stream" } });
  expect(junk.status()).toBe(201);
  const j = (await junk.json()) as { mqttPackets: number; problems: { message: string }[] };
  expect(j.mqttPackets).toBe(0);
  expect(j.problems.length).toBeGreaterThan(0);

  const big = await page.request.post("/api/captures?name=big.pcap", { data: Buffer.alloc(3 * 1024 * 1024, 0xab), headers: { "content-type": "application/octet-stream" } });
  expect(big.status()).toBe(413);
  expect(((await big.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  expect((await page.request.get("/api/health")).ok()).toBe(true);
});

test("a capture on the broker host shows a QoS 2 message on every hop, and the device's Delivery panel reads it", async ({ page }) => {
  // mqtt311.pcap: arm-01 publishes at QoS 0, 1 and 2 to a Mosquitto; sub-mqttv311 subscribes at QoS 2.
  const res = await page.request.post("/api/captures?name=broker-host.pcap", { data: readFileSync(`${FIXTURES}/mqtt311.pcap`), headers: { "content-type": "application/octet-stream" } });
  expect(res.status()).toBe(201);
  const { id, devices } = (await res.json()) as { id: string; devices: string[] };
  expect(devices).toEqual(["arm-01"]);

  await page.goto(`/wire?capture=${id}`);
  const sent = page
    .getByRole("table", { name: "Packets" })
    .locator('tbody tr[data-type="publish"]')
    .filter({ has: page.locator("td:nth-child(2)", { hasText: /^arm-01$/ }) });
  // Newest first: the QoS 2 one; rows are picked with the keyboard as with the mouse.
  await sent.first().focus();
  await page.keyboard.press("Enter");
  const detail = page.getByRole("region", { name: "Packet detail" });
  await expect(detail.getByRole("heading")).toHaveText("PUBLISH on arm-01 (client → broker)");
  const arrows = detail.getByTestId("sequence-arrow");
  // PUBLISH, PUBREC, PUBREL, PUBCOMP on the device's hop and again on the subscriber's.
  await expect(arrows).toHaveCount(8);
  for (const hop of ["arm-01", "sub-mqttv311"]) {
    await expect(arrows.and(page.locator(`[data-hop="${hop}"]`))).toHaveCount(4);
    await expect(arrows.and(page.locator(`[data-hop="${hop}"][data-packet="pubcomp"]`))).toHaveCount(1);
  }

  await page.getByRole("region", { name: "Capture summary" }).getByRole("link", { name: "arm-01" }).click();
  await expect(page).toHaveURL(new RegExp(`/devices/arm-01\\?capture=${id}$`));
  const delivery = page.getByTestId("delivery");
  await expect(delivery.getByRole("status")).toContainText("broker-host.pcap");
  await expect(delivery.getByLabel("Handshakes from")).toHaveValue(id);
  // QoS 2: both hops' handshakes complete, with their latencies; QoS 1 likewise.
  const qos2 = delivery.locator('tr[data-qos="2"] td');
  await expect(qos2.nth(1)).toHaveText("2");
  await expect(qos2.nth(5)).toHaveText(/^\d+(\.\d+)? \/ \d+(\.\d+)? \/ \d+(\.\d+)?$/);
  await expect(delivery.locator('tr[data-qos="1"] td').nth(1)).toHaveText("2");
  // Back to the live taps.
  await delivery.getByLabel("Handshakes from").selectOption("");
  await expect(page).toHaveURL(/\/devices\/arm-01$/);
  expect((await page.request.delete(`/api/captures/${id}`)).status()).toBe(200);
});
