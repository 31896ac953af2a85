/**
 * MQTT 5 end to end: a Fleetscope server of this spec's own, pointed at a Mosquitto this spec
 * starts (TCP for the server's bridge, its WebSocket listener for the tab), shows a message's
 * MQTT 5 properties on /topics and sends the ones the publish tool sets. The suite's embedded
 * broker is 3.1.1, and the page says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { startMosquitto, type Mosquitto } from "../test/helpers/mosquitto";
import { freePort } from "../test/helpers/ports";

const XSS = '<img src=x onerror="window.__xss=1">';
const TSX = ["--import", "tsx", "--import", "./scripts/register-hooks.mjs"];

/** A Fleetscope server of this spec's own on `broker`, with its store in `dir`, once /api/health says 200. */
async function startFleetscope(dir: string, broker: { MQTT_URL: string; MQTT_WS_URL?: string }): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const proc = spawn(process.execPath, [...TSX, "server.ts"], {
    env: { ...process.env, ...broker, PORT: String(port), DATABASE_URL: `file:${join(dir, "fleetscope.db")}`, FLEETSCOPE_AUTH: "off", FLEETSCOPE_SIM_DEVICES: "0", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  proc.stderr!.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => proc.once("exit", (code) => reject(new Error(`the server exited with ${code}:\n${log}`))));
  const healthy = expect
    .poll(() => fetch(`${url}/api/health`).then((r) => r.status, () => 0), { timeout: 150_000, message: "the server answers /api/health with 200" })
    .toBe(200);
  await Promise.race([healthy, exited]);
  return { url, process: proc };
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await gone;
}

test("on the embedded broker the tab connects with MQTT 3.1.1, says so, and the publish tool says why it has no properties", async ({ page }) => {
  await page.goto("/topics");
  const badge = page.getByTestId("connection");
  await expect(badge).toHaveAttribute("data-state", "connected");
  await expect(badge).toHaveAttribute("data-protocol", "4");
  await expect(badge).toContainText("MQTT 3.1.1");
  await expect(page.getByTestId("publish-properties-unavailable")).toContainText("this tab's connection is MQTT 3.1.1");
});

test.describe("against a Mosquitto speaking MQTT 5", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test.describe.configure({ timeout: 120_000 });

  let broker: Mosquitto;
  let server: ChildProcess;
  let dir: string;
  let url: string;
  let device: MqttClient;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), "fleetscope-mqtt5-"));
    ({ url, process: server } = await startFleetscope(dir, { MQTT_URL: broker.tcpUrl, MQTT_WS_URL: broker.wsUrl }));
    device = await mqtt.connectAsync(broker.tcpUrl, { clientId: "mqtt5-e2e-device", protocolVersion: 5, reconnectPeriod: 0 });
  });

  test.afterAll(async () => {
    await device?.endAsync();
    await stop(server);
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the tab connects with MQTT 5 and /topics shows a message's properties, decoded by its content type, as text", async ({ page }) => {
    await page.goto(`${url}/topics`);
    const badge = page.getByTestId("connection");
    await expect(badge).toHaveAttribute("data-protocol", "5");
    await expect(badge).toContainText("MQTT 5");

    const row = page.locator('[data-topic="lab/mqtt5/reading"]');
    // Published again until the tab's `#` subscription is in force and the topic shows.
    await expect(async () => {
      await device.publishAsync("lab/mqtt5/reading", '{"temp": 21.5}', {
        qos: 1,
        properties: {
          contentType: "text/plain",
          payloadFormatIndicator: true,
          responseTopic: "lab/mqtt5/reply",
          correlationData: Buffer.from([0xde, 0xad, 0x62]),
          messageExpiryInterval: 300,
          userProperties: { site: "north", [XSS]: XSS },
        },
      });
      await page.getByLabel("Search topics").fill("lab/mqtt5");
      await expect(row).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await row.click();

    const detail = page.getByRole("region", { name: "Selected topic" });
    const props = detail.getByRole("table", { name: "User properties" });
    await expect(props.getByRole("row", { name: "site north" })).toBeVisible();
    await expect(props.getByRole("row").filter({ hasText: "onerror" })).toHaveText(`${XSS}${XSS}`);
    const facts = detail.getByTestId("message-properties");
    await expect(facts).toContainText("content typetext/plain");
    await expect(facts).toContainText("payload format1 (UTF-8 text)");
    await expect(facts).toContainText("response topiclab/mqtt5/reply");
    await expect(facts).toContainText("de ad 62");
    await expect(facts).toContainText(/message expiry\d+ s left/);
    await expect(facts).toContainText("subscription identifier");
    // The content type says text: the JSON-looking payload is shown as the text it was declared.
    await expect(page.getByLabel("Decoder")).toContainText("auto (UTF-8 text, from the content type)");
    await expect(detail.locator("pre").first()).toHaveText('{"temp": 21.5}');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
  });

  test("the publish tool sends the MQTT 5 properties it is given, and names the PUBACK's reason code", async ({ page }) => {
    const got = new Promise<IPublishPacket>((resolve) => device.on("message", (topic, _p, packet) => topic === "lab/mqtt5/command" && resolve(packet)));
    await device.subscribeAsync("lab/mqtt5/command", { qos: 1 });
    await page.goto(`${url}/topics`);
    await expect(page.getByTestId("connection")).toHaveAttribute("data-protocol", "5");
    const publish = page.getByRole("region", { name: "Publish" });
    await publish.getByRole("textbox", { name: "Topic to publish" }).fill("lab/mqtt5/command");
    await publish.getByRole("textbox", { name: "Payload" }).fill('{"go": true}');
    await publish.getByLabel("QoS").selectOption("1");
    await publish.getByText("MQTT 5 properties").click();
    await publish.getByLabel("Content type").fill("application/json");
    await publish.getByLabel("Response topic").fill("lab/mqtt5/+");
    await publish.getByRole("button", { name: "Add user property" }).click();
    await publish.getByLabel("User property 1 key").fill("requested-by");
    await publish.getByLabel("User property 1 value").fill("e2e");
    await publish.getByRole("button", { name: "Publish", exact: true }).click();
    // A wildcard is no topic name: refused before anything is sent.
    await expect(publish.getByRole("alert")).toContainText("must not contain + or #");

    await publish.getByLabel("Response topic").fill("lab/mqtt5/reply");
    await publish.getByRole("textbox", { name: "Correlation data" }).fill("req-7");
    await publish.getByRole("button", { name: "Publish", exact: true }).click();
    const result = publish.getByRole("status", { name: "Publish result" });
    await expect(result).toContainText("Published at QoS 1: PUBACK received");
    await expect(result.getByRole("listitem").nth(1)).toContainText("· 0x00 Success");

    const packet = await got;
    expect(packet.properties).toMatchObject({ contentType: "application/json", responseTopic: "lab/mqtt5/reply", userProperties: { "requested-by": "e2e" } });
    expect(packet.properties?.correlationData?.toString()).toBe("req-7");
  });
});

test.describe("against a broker that speaks MQTT 3.1.1 only", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test.describe.configure({ timeout: 120_000 });

  let broker: ChildProcess;
  let server: ChildProcess | undefined;
  let dir: string;
  let url: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    // The embedded Aedes alone in a process: to this server it is an external broker, so the tab
    // asks it for MQTT 5, through the server's WebSocket relay.
    broker = spawn(process.execPath, [...TSX, "test/helpers/broker-process.ts"], { env: { ...process.env, BROKER_PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      broker.once("exit", (code) => reject(new Error(`the broker exited with ${code}`)));
      broker.stdout!.on("data", (chunk: Buffer) => {
        const m = /broker listening on (\d+)/.exec((out += chunk.toString()));
        if (m) resolve(m[1]!);
      });
    });
    dir = mkdtempSync(join(tmpdir(), "fleetscope-mqtt311-"));
    ({ url, process: server } = await startFleetscope(dir, { MQTT_URL: `mqtt://127.0.0.1:${port}` }));
  });

  test.afterAll(async () => {
    await stop(server);
    await stop(broker);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the tab asks for MQTT 5, is refused the level, connects with 3.1.1 and says so", async ({ page }) => {
    await page.goto(`${url}/topics`);
    const badge = page.getByTestId("connection");
    await expect(badge).toHaveAttribute("data-state", "connected");
    await expect(badge).toHaveAttribute("data-protocol", "4");
    await expect(badge).toContainText("MQTT 3.1.1");
    await expect(page.getByTestId("publish-properties-unavailable")).toBeVisible();
  });
});
