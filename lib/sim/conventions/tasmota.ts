import "server-only";
/**
 * Tasmota metering plugs (tasmota.github.io/docs/MQTT, "Home Assistant" discovery), topic
 * `tasmota_<last 3 MAC bytes>` as Tasmota's default `tasmota_%06X`, FullTopic `%prefix%/%topic%/`:
 *
 * - Retained `tasmota/discovery/<MAC>/config` and `…/sensors`, shaped like Home Assistant's
 *   tests/components/tasmota DEFAULT_CONFIG and Tasmota's own announcement.
 * - `tele/<t>/LWT` `Online` retained, the Will `Offline` (the config's onln/ofln), `Offline`
 *   again on a clean stop, as Tasmota does before a restart.
 * - At the fleet's rate (the TelePeriod, here short): `tele/<t>/STATE` (uptime, heap, POWER,
 *   Wi-Fi) and `tele/<t>/SENSOR` (the ENERGY block of a Sonoff POW R2).
 * - Subscribes `cmnd/<t>/#` and the group topic `cmnd/tasmotas/#`, as Tasmota does. `Power`,
 *   `Power1`, `Power0` (all relays; there is one), any case, payload ON/OFF/TOGGLE, 1/0/2 or
 *   true/false → `stat/<t>/RESULT` `{"POWER":"ON"}` and `stat/<t>/POWER` `ON`; an empty or other
 *   payload only reports the state (Tasmota's "show state"). Another command gets Tasmota's
 *   `{"Command":"Unknown"}`.
 */
import type { Noise, SimConnection, SimContext, SimDevice } from "./index";

type OnOff = "ON" | "OFF";
const GROUP_TOPIC = "tasmotas";
/** Espressif's OUI: Tasmota runs on ESP8266/ESP32. */
const OUI = "5CCF7F";
const TOTAL_BEFORE_KWH = 0.123;
/** When the energy total was last reset: a plug keeps it in flash, so it is the same every run. */
const TOTAL_START_TIME = "2025-11-23T15:33:47";

/** The MAC's last three bytes, stable per index. */
const hex6 = (i: number) => (0xf00001 + i).toString(16).toUpperCase().padStart(6, "0");
export const tasmotaMac = (i: number) => `${OUI}${hex6(i)}`;
export const tasmotaTopic = (i: number) => `tasmota_${hex6(i)}`;

const POWER_W = { min: 8, max: 40, rate: 1.5, digits: 0 };
const MAINS_V = { min: 226, max: 234, rate: 0.5, digits: 0 };
const FACTOR = { min: 0.7, max: 0.95, rate: 0.01, digits: 2 };
const SIGNAL_DBM = { min: -75, max: -50, rate: 1, digits: 0 };

/** Tasmota's local time without a zone, `2026-01-31T12:00:00`. */
const tasmotaTime = (d = new Date()) => d.toISOString().slice(0, 19);

/** `1T02:03:04`: days, then hours, minutes and seconds, as Tasmota's Uptime. */
export function uptime(seconds: number): string {
  const s = Math.floor(seconds);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return `${Math.floor(s / 86400)}T${hms}`;
}

/** Tasmota's Power payloads: the new state, or null for "show the state". */
export function powerRequest(current: OnOff, payload: string): OnOff | null {
  const p = payload.trim().toUpperCase();
  if (p === "ON" || p === "1" || p === "TRUE") return "ON";
  if (p === "OFF" || p === "0" || p === "FALSE") return "OFF";
  if (p === "TOGGLE" || p === "2") return current === "ON" ? "OFF" : "ON";
  return null;
}

/** The discovery config, as Tasmota announces it (HA's DEFAULT_CONFIG fields, relay 1 present). */
export function tasmotaConfig(i: number, name: string) {
  return {
    ip: `192.0.2.${(i % 250) + 2}`,
    dn: name,
    fn: [name, null, null, null, null, null, null, null],
    hn: `tasmota-${hex6(i)}-${String((i + 1) % 10000).padStart(4, "0")}`,
    mac: tasmotaMac(i),
    md: "Sonoff Pow R2",
    ty: 0,
    if: 0,
    ofln: "Offline",
    onln: "Online",
    state: ["OFF", "ON", "TOGGLE", "HOLD"],
    sw: "13.4.0",
    t: tasmotaTopic(i),
    ft: "%prefix%/%topic%/",
    tp: ["cmnd", "stat", "tele"],
    rl: [1, 0, 0, 0, 0, 0, 0, 0],
    swc: [-1, -1, -1, -1, -1, -1, -1, -1],
    swn: [null, null, null, null, null, null, null, null],
    btn: [0, 0, 0, 0, 0, 0, 0, 0],
    so: { "4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0 },
    lk: 1,
    lt_st: 0,
    sho: [0, 0, 0, 0],
    ver: 1,
  };
}

export function createTasmotaDevices(count: number, ctx: SimContext): SimDevice[] {
  return Array.from({ length: count }, (_, i) => new TasmotaPlug(i, ctx));
}

class TasmotaPlug implements SimDevice {
  private readonly topic: string;
  private readonly noise: Noise;
  private readonly startedAt = Date.now();
  private conn: SimConnection | null = null;
  private power: OnOff = "ON";
  private watts: number;
  private volts: number;
  private factor: number;
  private signal: number;
  private todayKwh = 0;

  constructor(
    private readonly index: number,
    private readonly ctx: SimContext,
  ) {
    this.topic = tasmotaTopic(index);
    this.noise = ctx.noise(this.topic);
    this.watts = this.noise.start(POWER_W);
    this.volts = this.noise.start(MAINS_V);
    this.factor = this.noise.start(FACTOR);
    this.signal = this.noise.start(SIGNAL_DBM);
  }

  private lwt(payload: "Online" | "Offline") {
    return { topic: `tele/${this.topic}/LWT`, payload, qos: 1 as const, retain: true };
  }

  start(): Promise<void> {
    const conn = this.ctx.connect({ name: this.topic, clientId: `fleetscope-sim-tasmota-${this.topic}`, will: this.lwt("Offline") });
    this.conn = conn;
    conn.client.on("message", (topic, payload) => this.onCommand(topic, payload.toString("utf8")));
    conn.every((dtS) => this.tick(dtS));
    return conn.onConnect(() => this.announce(conn));
  }

  private async announce({ client }: SimConnection) {
    const retained = { qos: 1 as const, retain: true };
    const mac = tasmotaMac(this.index);
    const online = this.lwt("Online");
    await Promise.all([
      client.publishAsync(`tasmota/discovery/${mac}/config`, JSON.stringify(tasmotaConfig(this.index, `Sim Plug ${String(this.index + 1).padStart(2, "0")}`)), retained),
      client.publishAsync(`tasmota/discovery/${mac}/sensors`, JSON.stringify({ sn: this.sensor(), ver: 1 }), retained),
      client.subscribeAsync([`cmnd/${this.topic}/#`, `cmnd/${GROUP_TOPIC}/#`], { qos: 1 }),
    ]);
    await client.publishAsync(online.topic, online.payload, retained);
    this.telemetry();
  }

  private energy() {
    const on = this.power === "ON";
    const power = on ? this.watts : 0;
    const apparent = on ? Math.round(power / this.factor) : 0;
    return {
      TotalStartTime: TOTAL_START_TIME,
      Total: Number((TOTAL_BEFORE_KWH + this.todayKwh).toFixed(3)),
      Yesterday: 0.0,
      Today: Number(this.todayKwh.toFixed(3)),
      Power: power,
      ApparentPower: apparent,
      ReactivePower: on ? Math.round(Math.sqrt(Math.max(0, apparent ** 2 - power ** 2))) : 0,
      Factor: on ? this.factor : 0,
      Voltage: this.volts,
      Current: on ? Number((apparent / this.volts).toFixed(3)) : 0,
    };
  }

  private sensor() {
    return { Time: tasmotaTime(), ENERGY: this.energy(), TempUnit: "C" };
  }

  private state() {
    const up = (Date.now() - this.startedAt) / 1000;
    // Tasmota's RSSI is a percentage of the signal: 2 × (dBm + 100), within 0..100.
    const rssi = Math.max(0, Math.min(100, 2 * (this.signal + 100)));
    return {
      Time: tasmotaTime(),
      Uptime: uptime(up),
      UptimeSec: Math.floor(up),
      Heap: 25,
      SleepMode: "Dynamic",
      Sleep: 50,
      LoadAvg: 19,
      MqttCount: 1,
      POWER: this.power,
      Wifi: { AP: 1, SSId: "sim", RSSI: rssi, Signal: this.signal },
    };
  }

  private telemetry() {
    const client = this.conn?.client;
    client?.publish(`tele/${this.topic}/STATE`, JSON.stringify(this.state()), { qos: 0 });
    client?.publish(`tele/${this.topic}/SENSOR`, JSON.stringify(this.sensor()), { qos: 0 });
  }

  private tick(dtS: number) {
    this.watts = this.noise.drift(this.watts, POWER_W, dtS);
    this.volts = this.noise.drift(this.volts, MAINS_V, dtS);
    this.factor = this.noise.drift(this.factor, FACTOR, dtS);
    this.signal = this.noise.drift(this.signal, SIGNAL_DBM, dtS);
    if (this.power === "ON") this.todayKwh += (this.watts * dtS) / 3_600_000;
    this.telemetry();
  }

  /** `cmnd/<t>/<command>` or `cmnd/tasmotas/<command>`: commands are case-insensitive. */
  private onCommand(topic: string, payload: string) {
    const levels = topic.split("/");
    if (levels.length !== 3 || levels[0] !== "cmnd" || (levels[1] !== this.topic && levels[1] !== GROUP_TOPIC)) return;
    const command = levels[2]!.toLowerCase();
    const client = this.conn?.client;
    if (command !== "power" && command !== "power0" && command !== "power1") {
      client?.publish(`stat/${this.topic}/RESULT`, JSON.stringify({ Command: "Unknown" }), { qos: 0 });
      return;
    }
    this.power = powerRequest(this.power, payload) ?? this.power;
    // One relay: Tasmota names it POWER, not POWER1, in both answers.
    client?.publish(`stat/${this.topic}/RESULT`, JSON.stringify({ POWER: this.power }), { qos: 0 });
    client?.publish(`stat/${this.topic}/POWER`, this.power, { qos: 0 });
  }

  async stop(): Promise<void> {
    await this.conn?.close(this.lwt("Offline"));
    this.conn = null;
  }
}
