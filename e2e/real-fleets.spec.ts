/**
 * Fleets in the conventions people already run, as a new user meets them: their devices appear on
 * the overview with their convention, status and reason, their pages chart values with units, and
 * a command goes out as the convention writes it and succeeds on the device's echo. The test's own
 * MQTT client plays each device, publishing the payload shapes the projects document, with device
 * credentials that confine it to its convention's topics. (The embedded broker is this run's
 * own and keeps nothing: retained messages left here go with it.)
 * (After overview.spec.ts, whose fleet count these devices would change.)
 */
import { expect, test, type Page } from "@playwright/test";
import mqtt, { type MqttClient } from "mqtt";
import { get } from "sparkplug-payload";
import { E2E_CONVENTION_DEVICES } from "../playwright.config";

const run = Date.now().toString(36);

/** A device's connection: with its credentials (its convention's access rules), or anonymous. */
async function device(baseURL: string, name: string, will?: { topic: string; payload: string }, login = false): Promise<MqttClient> {
  return mqtt.connectAsync(`${baseURL.replace(/^http/, "ws")}/mqtt`, {
    clientId: `e2e-${name}-${run}`,
    ...(login ? { username: name, password: E2E_CONVENTION_DEVICES.password } : {}),
    ...(will ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } } : {}),
  });
}

async function openFromOverview(page: Page, filter: string, name: string) {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByRole("searchbox").first().fill(filter);
  const card = page.getByTestId("device-card").filter({ hasText: name });
  await expect(card).toBeVisible();
  return card;
}

test("a Tasmota plug appears with its convention and LWT reason, charts power in W, and its Power command succeeds on the RESULT echo", async ({ page, baseURL }) => {
  const t = E2E_CONVENTION_DEVICES.tasmota;
  const mac = "00000E2E0001";
  const plug = await device(baseURL!, t, { topic: `tele/${t}/LWT`, payload: "Offline" }, true);
  try {
    // Tasmota's own discovery, shaped as home-assistant/core tests/components/tasmota/test_common.py DEFAULT_CONFIG.
    const config = { ip: "127.0.0.1", dn: `Kitchen plug ${run}`, fn: ["Kitchen plug", null], hn: `${t}-0956`, mac, md: "Sonoff S31", ofln: "Offline", onln: "Online", state: ["OFF", "ON", "TOGGLE", "HOLD"], sw: "12.5.0", t, ft: "%prefix%/%topic%/", tp: ["cmnd", "stat", "tele"], rl: [1, 0, 0, 0, 0, 0, 0, 0], swc: [-1, -1, -1, -1, -1, -1, -1, -1], btn: [0, 0, 0, 0], so: { "4": 0, "11": 0, "13": 0, "17": 1, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0 }, lk: 1, lt_st: 0, ty: 0, ver: 1 };
    await plug.publishAsync(`tasmota/discovery/${mac}/config`, JSON.stringify(config), { qos: 1, retain: true });
    await plug.publishAsync(`tele/${t}/LWT`, "Online", { qos: 1, retain: true });
    await plug.subscribeAsync(`cmnd/${t}/#`, { qos: 1 });
    // Answers Power as a real plug does: stat/<t>/RESULT with the new state.
    plug.on("message", (topic, payload) => {
      if (topic.toLowerCase() !== `cmnd/${t}/power1`.toLowerCase()) return;
      const state = payload.toString().toUpperCase() === "TOGGLE" ? "ON" : payload.toString().toUpperCase();
      void plug.publishAsync(`stat/${t}/RESULT`, JSON.stringify({ POWER: state }), { qos: 1 });
    });
    const card = await openFromOverview(page, "tasmota", config.dn);
    await expect(card.getByTestId("convention")).toHaveText("Tasmota");
    await expect(card.getByTestId("status")).toHaveText(/online/);
    await expect(card.getByTestId("status")).toHaveAttribute("title", /LWT Online/);
    await card.getByRole("link", { name: config.dn }).click();
    await expect(page).toHaveURL(new RegExp(`/devices/tasmota\\.${t}$`));
    await expect(page.getByRole("heading", { name: config.dn })).toBeVisible();
    await expect(page.getByTestId("status-reason")).toHaveText(/LWT Online/);
    for (let i = 0; i < 3; i++) {
      const sensor = { Time: new Date().toISOString().slice(0, 19), ENERGY: { Total: 1.25, Today: 0.1, Power: 40 + i, Voltage: 230, Current: 0.18 }, TempUnit: "C" };
      await plug.publishAsync(`tele/${t}/SENSOR`, JSON.stringify(sensor), { qos: 0 });
    }
    await expect(page.getByTestId("value-ENERGY.Power")).toHaveText("42\u00a0W");
    await expect(page.getByTestId("value-ENERGY.Voltage")).toHaveText("230\u00a0V");
    // Its status history, stored with the reason as any convention's is: still there after a reload.
    await page.reload();
    const online = page.getByTestId("status-timeline").locator('[data-status="online"]');
    await expect(online.last()).toHaveAttribute("title", /: Tasmota LWT Online$/);

    const panel = page.getByRole("region", { name: "Commands" });
    await panel.getByLabel("command", { exact: true }).selectOption("Power1");
    await panel.getByLabel(/^state/).selectOption("ON");
    await panel.getByRole("button", { name: "Send Power1" }).click();
    const lifecycle = panel.getByTestId("command-lifecycle");
    await expect(lifecycle).toHaveAttribute("data-state", "succeeded");
  } finally {
    await plug.endAsync();
  }
});

test("a Homie 5 device appears with its $state, its properties charted with their units, and a settable one set by echo", async ({ page, baseURL }) => {
  const id = E2E_CONVENTION_DEVICES.homie;
  const base = `homie/5/${id}`;
  const dev = await device(baseURL!, id, { topic: `${base}/$state`, payload: "lost" }, true);
  try {
    // The shape of homieiot/convention's v5 $description.
    const description = {
      homie: "5.0",
      version: 1,
      name: `Hall thermostat ${run}`,
      nodes: {
        sensor: { name: "Sensor", properties: { temperature: { name: "Temperature", datatype: "float", unit: "°C" } } },
        heater: { name: "Heater", properties: { on: { name: "On", datatype: "boolean", settable: true } } },
      },
    };
    await dev.publishAsync(`${base}/$state`, "init", { qos: 1, retain: true });
    await dev.publishAsync(`${base}/$description`, JSON.stringify(description), { qos: 1, retain: true });
    await dev.publishAsync(`${base}/heater/on`, "false", { qos: 1, retain: true });
    await dev.publishAsync(`${base}/$state`, "ready", { qos: 1, retain: true });
    await dev.subscribeAsync(`${base}/heater/on/set`, { qos: 1 });
    dev.on("message", (topic, payload) => {
      if (topic === `${base}/heater/on/set`) void dev.publishAsync(`${base}/heater/on`, payload.toString(), { qos: 1, retain: true });
    });
    const card = await openFromOverview(page, "homie", description.name);
    await expect(card.getByTestId("convention")).toHaveText("Homie");
    await card.getByRole("link", { name: description.name }).click();
    await expect(page.getByTestId("status-reason")).toHaveText("Homie $state ready");
    for (const v of ["21.5", "21.75"]) await dev.publishAsync(`${base}/sensor/temperature`, v, { qos: 1, retain: true });
    await expect(page.getByTestId("value-sensor.temperature")).toHaveText("21.75\u00a0°C");

    const panel = page.getByRole("region", { name: "Commands" });
    await panel.getByLabel("command", { exact: true }).selectOption({ index: 0 });
    const send = panel.getByRole("button", { name: /^Send / });
    await panel.getByLabel(/^value/).selectOption("true");
    await send.click();
    await expect(panel.getByTestId("command-lifecycle")).toHaveAttribute("data-state", "succeeded");
    await expect(page.getByTestId("value-heater.on")).toHaveText("1");

    // The Last Will says lost: the device goes offline, and the page says why.
    dev.stream.destroy();
    await expect(page.getByTestId("status-reason")).toHaveText("Homie $state lost");
    await expect(page.getByTestId("status").first()).toHaveText(/offline/);
  } finally {
    await dev.endAsync(true);
  }
});

test("a fleet that follows no convention is read by the user's own rule (FLEETSCOPE_CONVENTIONS)", async ({ page, baseURL, request }) => {
  const name = `press-${run}`;
  const client = await device(baseURL!, name);
  try {
    await client.publishAsync(`plant/berlin/line/3/${name}/status`, "up", { qos: 1, retain: true });
    await client.publishAsync(`plant/berlin/line/3/${name}/telemetry`, JSON.stringify({ motor: { temp: 55.25 } }), { qos: 1 });
    const card = await openFromOverview(page, name, name);
    await expect(card.getByTestId("convention")).toHaveText("Rule plant");
    await expect(card.getByTestId("status")).toHaveText(/online/);
    await expect(async () => {
      const body = (await (await request.get("/api/conventions")).json()) as { conventions: { id: string; devices: number }[] };
      expect(body.conventions.find((c) => c.id === "rule:plant")?.devices).toBeGreaterThanOrEqual(1);
    }).toPass();
  } finally {
    await client.endAsync();
  }
});

test("a Zigbee2MQTT bulb, named by the retained bridge/devices (a friendly name with /), switched on from its page and confirmed by the echoed state", async ({ page, baseURL }) => {
  const base = E2E_CONVENTION_DEVICES.zigbee2mqtt;
  const name = `hall/bulb ${run}`;
  const bridge = await device(baseURL!, base, { topic: `${base}/bridge/state`, payload: JSON.stringify({ state: "offline" }) }, true);
  try {
    // The shape of Zigbee2MQTT's bridge/devices: a coordinator, then each device with its exposes.
    const bulb = {
      ieee_address: "0x90fd9ffffe6494fc",
      type: "Router",
      friendly_name: name,
      definition: {
        model: "LED1624G9",
        vendor: "IKEA",
        description: "TRADFRI LED bulb E14/E26/E27 600 lumen, dimmable, color, opal white",
        exposes: [
          { type: "light", features: [
            { type: "binary", name: "state", property: "state", value_on: "ON", value_off: "OFF", value_toggle: "TOGGLE", access: 7 },
            { type: "numeric", name: "brightness", property: "brightness", value_min: 0, value_max: 254, access: 7 },
          ] },
          { type: "numeric", name: "linkquality", property: "linkquality", unit: "lqi", access: 1 },
        ],
      },
    };
    await bridge.publishAsync(`${base}/bridge/state`, JSON.stringify({ state: "online" }), { qos: 1, retain: true });
    await bridge.publishAsync(`${base}/bridge/devices`, JSON.stringify([{ ieee_address: "0x00124b00120144ae", type: "Coordinator", friendly_name: "Coordinator" }, bulb]), { qos: 1, retain: true });
    await bridge.publishAsync(`${base}/${name}/availability`, JSON.stringify({ state: "online" }), { qos: 1, retain: true });
    let state = { state: "OFF", brightness: 120, linkquality: 96 };
    await bridge.publishAsync(`${base}/${name}`, JSON.stringify(state), { qos: 1 });
    await bridge.subscribeAsync(`${base}/${name}/set`, { qos: 1 });
    bridge.on("message", (_topic, payload) => {
      state = { ...state, ...(JSON.parse(payload.toString()) as object) };
      void bridge.publishAsync(`${base}/${name}`, JSON.stringify(state), { qos: 1 });
    });
    const card = await openFromOverview(page, "zigbee2mqtt", name);
    await expect(card.getByTestId("convention")).toHaveText("Zigbee2MQTT");
    await card.getByRole("link", { name }).click();
    await expect(page).toHaveURL(/\/devices\/z2m\.0x90fd9ffffe6494fc$/);
    await expect(page.getByTestId("value-linkquality")).toHaveText("96\u00a0lqi");
    const panel = page.getByRole("region", { name: "Commands" });
    await panel.getByLabel("command", { exact: true }).selectOption("state");
    await panel.getByLabel(/^state/).selectOption("ON");
    await panel.getByRole("button", { name: "Send state" }).click();
    await expect(panel.getByTestId("command-lifecycle")).toHaveAttribute("data-state", "succeeded");
    await expect(page.getByTestId("value-state")).toHaveText("1");
  } finally {
    await bridge.endAsync();
  }
});

test("a Home Assistant discovery sensor appears with its device's name and the unit its config gives", async ({ page, baseURL }) => {
  const node = `e2e${run}`;
  const client = await device(baseURL!, `ha-${node}`);
  try {
    // Abbreviated keys and `~`, as real publishers (Tasmota, ESPHome) write discovery configs.
    const config = { "~": `e2eha/${node}`, name: "Temperature", stat_t: "~/state", val_tpl: "{{ value_json.temperature | round(1) }}", unit_of_meas: "°C", dev_cla: "temperature", uniq_id: `${node}_t`, dev: { ids: [`e2e_${node}`], name: `Greenhouse ${run}`, mf: "Fleetscope", mdl: "e2e", sa: "Garden" } };
    await client.publishAsync(`homeassistant/sensor/${node}/temperature/config`, JSON.stringify(config), { qos: 1, retain: true });
    const card = await openFromOverview(page, "home assistant", config.dev.name);
    await expect(card).toContainText("Garden");
    await card.getByRole("link", { name: config.dev.name }).click();
    await client.publishAsync(`e2eha/${node}/state`, JSON.stringify({ temperature: 24.56 }), { qos: 1 });
    await expect(page.locator('[data-testid^="value-"]').filter({ hasText: "°C" }).first()).toHaveText("24.6\u00a0°C");
  } finally {
    await client.endAsync();
  }
});

test("a Sparkplug B edge node: a tab opened after its BIRTH shows metric names and units, not aliases, and a DCMD is confirmed by the next DDATA", async ({ page, baseURL }) => {
  const [group, edge] = E2E_CONVENTION_DEVICES.sparkplug.split("/") as [string, string];
  const codec = get("spBv1.0")!;
  const encode = (p: object) => Buffer.from(codec.encodePayload({ timestamp: Date.now(), ...p } as Parameters<typeof codec.encodePayload>[0]));
  const t = (verb: string, dev?: string) => `spBv1.0/${group}/${verb}/${edge}${dev ? `/${dev}` : ""}`;
  let seq = 0;
  const next = () => (seq = (seq + 1) % 256);
  const node = await mqtt.connectAsync(`${baseURL!.replace(/^http/, "ws")}/mqtt`, {
    clientId: `e2e-sparkplug-${run}`,
    username: E2E_CONVENTION_DEVICES.sparkplug,
    password: E2E_CONVENTION_DEVICES.password,
    will: { topic: t("NDEATH"), payload: encode({ metrics: [{ name: "bdSeq", type: "Int64", value: 0 }] }), qos: 1, retain: false },
  });
  try {
    let led = false;
    await node.subscribeAsync([t("NCMD"), `${t("DCMD")}/#`], { qos: 1 });
    // The spec's examples (Sparkplug_6_Payloads.adoc): bdSeq and Rebirth on the NBIRTH, aliases and engUnit on the DBIRTH.
    const births = async () => {
      seq = 0;
      await node.publishAsync(t("NBIRTH"), encode({ seq: 0, metrics: [{ name: "bdSeq", type: "Int64", value: 0 }, { name: "Node Control/Rebirth", type: "Boolean", value: false }] }), { qos: 0 });
      await node.publishAsync(
        t("DBIRTH", "pump"),
        encode({
          seq: next(),
          metrics: [
            { name: "Inputs/pressure", alias: 1, type: "Double", value: 101.2, properties: { engUnit: { type: "String", value: "kPa" } } },
            { name: "Outputs/LED", alias: 2, type: "Boolean", value: led },
          ],
        }),
        { qos: 0 },
      );
    };
    node.on("message", (topic, payload) => {
      const metrics = codec.decodePayload(payload).metrics ?? [];
      if (topic === t("NCMD") && metrics.some((m) => m.name === "Node Control/Rebirth" && m.value === true)) return void births();
      const write = metrics.find((m) => m.name === "Outputs/LED" || m.alias === 2);
      if (!write) return;
      led = write.value === true;
      void node.publishAsync(t("DDATA", "pump"), encode({ seq: next(), metrics: [{ alias: 2, type: "Boolean", value: led }] }), { qos: 0 });
    });
    await births();
    // Opened after the BIRTH: what it shows by name it learned from the bridge's conventions.
    const card = await openFromOverview(page, "sparkplug", "pump");
    await expect(card.getByTestId("convention")).toHaveText("Sparkplug B");
    await card.getByRole("link", { name: "pump" }).click();
    await expect(page.getByTestId("status-reason")).toHaveText(/DBIRTH/);
    await node.publishAsync(t("DDATA", "pump"), encode({ seq: next(), metrics: [{ alias: 1, type: "Double", value: 103.4 }] }), { qos: 0 });
    await expect(page.getByTestId("value-Inputs/pressure")).toHaveText("103.4\u00a0kPa");

    const panel = page.getByRole("region", { name: "Commands" });
    await panel.getByLabel("command", { exact: true }).selectOption("Outputs/LED");
    await panel.getByLabel(/^value/).selectOption("true");
    await panel.getByRole("button", { name: "Send Outputs/LED" }).click();
    await expect(panel.getByTestId("command-lifecycle")).toHaveAttribute("data-state", "succeeded");
    expect(led).toBe(true);
  } finally {
    await node.endAsync();
  }
});
