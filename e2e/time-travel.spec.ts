/**
 * Time travel (issue 20) on the real server, store and demo fleet: an arm goes offline for a few
 * seconds; the overview, the arm's page and /topics opened at a moment inside that spell show it as
 * it was, with the banner; Live returns to now; playback at 10× replays the spell into the views;
 * the window exports.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";
import mqtt from "mqtt";
import { readFileSync } from "node:fs";
import type { AlertItem } from "../lib/alerts/alert-list";
import { firingAt } from "../lib/timetravel/alerts-at";
import { untilStored } from "./stored";

// The test borrows this arm's status topic (as device-view.spec.ts does arm-01's) and leaves it
// `online`, as the arm itself has it.
const ARM = "arm-03";
const STATUS = `fleet/plant-a/${ARM}/status`;

type Stored = { ts: number; payload: string };

async function lastStatus(request: APIRequestContext): Promise<Stored | undefined> {
  const res = await request.get(`/api/messages?topic=${encodeURIComponent(STATUS)}&limit=1`);
  return ((await res.json()) as { messages: Stored[] }).messages[0];
}

/** Publishes the status and returns its receipt time in the store. */
async function setStatus(client: mqtt.MqttClient, request: APIRequestContext, status: "online" | "offline", after: number): Promise<number> {
  await client.publishAsync(STATUS, status, { qos: 1, retain: true });
  let ts = 0;
  await untilStored(request, `${ARM}'s ${status}`, async () => {
    const m = await lastStatus(request);
    ts = m && m.payload === status && m.ts > after ? m.ts : 0;
    return ts > 0;
  });
  return ts;
}

/** Until the store holds telemetry of the arm received after `t`: time has passed, by the fleet's own clock. */
async function telemetryAfter(request: APIRequestContext, t: number): Promise<void> {
  await untilStored(request, `${ARM}'s telemetry after ${t}`, async () => {
    const res = await request.get(`/api/messages?topic=fleet/plant-a/${ARM}/telemetry&from=${t}&limit=1`);
    return ((await res.json()) as { messages: unknown[] }).messages.length > 0;
  });
}

test("the fleet as it was while an arm was offline: overview, device page and topics, Live, playback at 10× and export", async ({ page, baseURL }) => {
  const client = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, { clientId: "e2e-time-travel" });
  let offlineAt: number;
  let onlineAt: number;
  let incidentAt: number;
  // A seq of its own each run: the store takes a repeated seq for a redelivery and keeps the first.
  const alarmSeq = 900_000 + (Date.now() % 100_000);
  // The incident: a command sent to the arm, then the arm offline (a command to an offline device
  // is refused) and an alarm raised.
  const sent = await page.request.post("/api/commands", { data: { device: ARM, name: "move_joint", args: { joint: 0, angle: 15 } } });
  expect(sent.status()).toBe(202);
  try {
    offlineAt = await setStatus(client, page.request, "offline", 0);
    await client.publishAsync(`fleet/plant-a/${ARM}/alarm`, JSON.stringify({ seq: alarmSeq, level: "warning", code: "E2E_TIME_TRAVEL" }), { qos: 1 });
    let alarmAt = 0;
    await untilStored(page.request, `${ARM}'s alarm`, async () => {
      const res = await page.request.get(`/api/messages?topic=fleet/plant-a/${ARM}/alarm&from=${offlineAt}&limit=1`);
      alarmAt = ((await res.json()) as { messages: Stored[] }).messages[0]?.ts ?? 0;
      return alarmAt > 0;
    });
    incidentAt = Math.max(offlineAt + 1500, alarmAt + 500);
    await telemetryAfter(page.request, incidentAt + 2000);
  } finally {
    onlineAt = await setStatus(client, page.request, "online", 0);
    await client.endAsync();
  }
  const at = incidentAt;
  expect(at).toBeLessThan(onlineAt);

  // The overview at that moment: the arm offline, saying so plainly, while it is online now.
  // Filtered to the arms: the shared e2e server holds hundreds of devices by now, and the overview
  // renders only the cards near the viewport.
  await page.goto(`/?at=${at}&q=arm-0`);
  const banner = page.getByTestId("past-banner");
  await expect(banner).toContainText("Showing the fleet as it was at");
  await expect(banner).toContainText(/\(\d+ (s|min)( \d+ s)? ago\)/);
  const card = page.locator(`[data-device="${ARM}"]`);
  await expect(card.getByTestId("status")).toHaveText(/offline/);
  // Its sparkline is drawn from the store up to the moment, without playing.
  await expect(card.getByTestId("sparkline")).toHaveAttribute("data-state", "drawn");
  // The header's badge counts the alerts firing then, as the store's episodes say.
  const open = (await (await page.request.get(`/api/alerts?from=${at}&to=${at}&limit=100&transitions=true`)).json()) as { alerts: AlertItem[] };
  const badge = page.getByTestId("alert-badge");
  await expect(badge).toHaveAttribute("data-at", String(at));
  await expect(badge).toHaveAttribute("data-firing", String(firingAt(open.alerts, at)));
  await expect(badge).toHaveText(/firing then|none then/);
  // Another arm, online then, is online in the past view too: not every device offline.
  await expect(page.locator('[data-device="arm-04"]').getByTestId("status")).toHaveText(/online/);
  // "seen" counts from the moment, not from now: arm-04 sent telemetry within a second of it, and
  // by now (5 s later, by the fleet's own clock) a label counting from now would say more.
  await telemetryAfter(page.request, at + 5000);
  await expect(page.locator('[data-device="arm-04"]')).toContainText(/seen (just now|[1-3]s ago)/);
  // The timeline marks the spell, the command and the alarm, named, among the store's other marks.
  const scrubber = page.getByTestId("scrubber");
  await expect(scrubber.locator(`[data-mark="offline"][title$="${ARM} offline"]`).first()).toBeAttached();
  await expect(scrubber.locator(`[data-mark="command"][title*="move_joint → ${ARM}"]`).first()).toBeAttached();
  await expect(scrubber.locator(`[data-mark="alarm"][title*=" ${ARM}: "]`).first()).toBeAttached();
  // The live feed goes on arriving, and does not overwrite the past.
  await telemetryAfter(page.request, Date.now());
  await expect(card.getByTestId("status")).toHaveText(/offline/);

  // Its card's link keeps the moment: the arm's page opens in the past too.
  await card.getByRole("link", { name: ARM, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/devices/${ARM}\\?at=${at}$`));
  await expect(page.getByTestId("past-banner")).toBeVisible();
  await expect(page.getByTestId("status")).toHaveText(/offline/);

  // The arm's page at the same moment: offline, and its temperature as the store had it then.
  const snapshot = (await (await page.request.get(`/api/snapshot?at=${at}&topic=${encodeURIComponent(STATUS)}`)).json()) as {
    devices: { id: string; status: string; values: Record<string, { value: number }> }[];
  };
  const then = snapshot.devices.find((d) => d.id === ARM)!;
  expect(then.status).toBe("offline");
  await page.goto(`/devices/${ARM}?range=5m&decimals=temp:3&at=${at}`);
  await expect(page.getByTestId("past-banner")).toContainText("Showing the fleet as it was at");
  await expect(page.getByTestId("status")).toHaveText(/offline/);
  const temp = page.getByTestId("value-temp");
  await expect(temp).toHaveText(/\d\.\d{3}/);
  expect(Math.abs(parseFloat((await temp.textContent())!) - then.values.temp!.value)).toBeLessThanOrEqual(0.0005);
  // The command sent by then, in its history.
  const commands = page.getByRole("region", { name: "Commands" });
  await expect(commands.getByText(/commands? to this device by the moment shown$/)).toBeVisible();
  await expect(commands.locator("details").getByText("move_joint", { exact: true }).first()).toBeVisible();
  // A view change (the range) keeps the cursor in the URL.
  await page.getByRole("button", { name: "1 h", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`range=1h.*at=${at}`));

  // /topics at that moment: the status topic's last payload then.
  await page.goto(`/topics?at=${at}`);
  await expect(page.getByTestId("past-banner")).toBeVisible();
  await page.getByLabel("Search topics").fill(STATUS);
  const row = page.locator(`[data-topic="${STATUS}"]`);
  await expect(row.getByText("offline", { exact: true })).toBeVisible();
  // Its message count up to then, as the store counts it (more than the one message the tree holds).
  const counted = (await (await page.request.get(`/api/snapshot?at=${at}&topic=${encodeURIComponent(STATUS)}`)).json()) as { topics: { items: { count: number }[] } };
  const n = counted.topics.items[0]!.count;
  expect(n).toBeGreaterThanOrEqual(2);
  await expect(row).toContainText(new RegExp(`(^|\\D)${n} msgs`));

  // The timeline's keys step a second back, in the URL too.
  const slider = page.getByRole("slider", { name: "Time cursor" });
  await expect(slider).toHaveAttribute("aria-valuenow", String(at));
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(page).toHaveURL(new RegExp(`at=${at - 1000}$`));
  await expect(slider).toHaveAttribute("aria-valuenow", String(at - 1000));

  // Shift+Right: the next stored message after the cursor, whatever its topic.
  const after = at - 1000;
  const next = (await (await page.request.get(`/api/messages?topic=%23&order=asc&from=${after + 1}&limit=1`)).json()) as { messages: Stored[] };
  await page.keyboard.press("Shift+ArrowRight");
  await expect(page).toHaveURL(new RegExp(`at=${next.messages[0]!.ts}$`));

  // Live: back to now, the arm online.
  await page.getByRole("button", { name: "Live" }).click();
  await expect(page).not.toHaveURL(/at=/);
  await expect(page.getByTestId("past-banner")).toHaveCount(0);
  await expect(row.getByText("online", { exact: true })).toBeVisible();

  // Playback from just before the spell, at 10×: the overview goes through it as it happened.
  await page.goto(`/?at=${offlineAt - 1000}&q=arm-0`);
  await expect(card.getByTestId("status")).toHaveText(/online/);
  await page.getByRole("button", { name: "▶ 10×" }).click();
  await expect(page.getByTestId("past-banner")).toContainText("playing at 10×");
  await expect(card.getByTestId("status")).toHaveText(/offline/);
  await expect(card.getByTestId("status")).toHaveText(/online/);
  await page.getByRole("button", { name: "❚❚ Pause" }).click();
  // Paused, the URL holds where playback got to: past the spell's end.
  await expect.poll(() => Number(new URL(page.url()).searchParams.get("at"))).toBeGreaterThanOrEqual(onlineAt);

  // Export the minutes around the cursor as JSONL: the spell's two status messages are in it.
  await page.getByRole("button", { name: "Export…" }).click();
  await page.getByRole("textbox", { name: "Topics" }).fill(STATUS);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^fleetscope-\d+-\d+\.jsonl$/);
  const lines = (await (await file.createReadStream()).toArray()).join("").trim().split("\n").map((l) => JSON.parse(l) as { topic: string; payload: string; ts: number });
  expect(lines.filter((l) => l.topic === STATUS && l.ts >= offlineAt && l.ts <= onlineAt).map((l) => l.payload)).toEqual(["offline", "online"]);
  await expect(page.getByTestId("export-progress")).toHaveText(/^Exported \d+ rows\.$/);
});

test("a capture at a past moment: /wire?capture=&at= shows its packets up to the cursor only", async ({ page }) => {
  // mqtt311.pcap: arm-01 publishes at QoS 0, then QoS 1, then QoS 2, each on a connection of its own.
  const res = await page.request.post("/api/captures?name=time-travel.pcap", { data: readFileSync("lib/capture/fixtures/mqtt311.pcap"), headers: { "content-type": "application/octet-stream" } });
  expect(res.status()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  try {
    const all = (await (await page.request.get(`/api/captures/${id}/packets?type=publish,puback,pubrec,pubrel,pubcomp&limit=1000`)).json()) as { packets: { t: number; type: string }[] };
    // The cursor just after the first PUBACK (a capture's times have microseconds; `at` is whole ms):
    // the QoS 0 and QoS 1 handshakes are before it, QoS 2's after.
    const at = Math.ceil(all.packets.filter((p) => p.type === "puback").map((p) => p.t).sort((a, b) => a - b)[0]!);
    const before = all.packets.filter((p) => p.t <= at);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(all.packets.length);
    await page.goto(`/wire?capture=${id}&at=${at}`);
    await expect(page.getByTestId("past-banner")).toContainText("Showing the fleet as it was at");
    const rows = page.getByRole("table", { name: "Packets" }).locator("tbody tr");
    await expect(rows).toHaveCount(before.length);
    await expect(rows.and(page.locator('[data-type="pubrec"]'))).toHaveCount(0);
    // Live again: the whole capture, its QoS 2 handshake too.
    await page.getByRole("button", { name: "Live" }).click();
    await expect(page).toHaveURL(new RegExp(`/wire\\?capture=${id}$`));
    await expect(rows).toHaveCount(all.packets.length);
    await expect(rows.and(page.locator('[data-type="pubrec"]')).first()).toBeAttached();
  } finally {
    await page.request.delete(`/api/captures/${id}`);
  }
});
