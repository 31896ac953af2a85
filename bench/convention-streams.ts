/**
 * The streams the conventions benchmarks read: the demo fleet's telemetry, and a mixed stream
 * (Sparkplug B protobuf, Zigbee2MQTT, Home Assistant, Tasmota, Homie and demo JSON) with the
 * descriptions each convention needs first (births, discovery, bridge/devices). Shapes after the
 * projects' documented payloads.
 */
import { get } from "sparkplug-payload";
import type { Received } from "../lib/bridge/decode";

const DEVICES = 50;
const sparkplug = get("spBv1.0")!;

const msg = (topic: string, payload: string | Uint8Array, retain = false): Received => ({
  topic,
  payload: typeof payload === "string" ? Buffer.from(payload) : payload,
  qos: 0,
  retain,
  dup: false,
});

export function demoStream(count: number): Received[] {
  return Array.from({ length: count }, (_, i) =>
    msg(`fleet/bench/arm-${i % DEVICES}/telemetry`, JSON.stringify({ seq: Math.floor(i / DEVICES) + 1, temp: 40 + (i % 7) / 10, current: 1.2, joints: [1, 2, 3, 4, 5, 6] })),
  );
}

/** What each convention needs before its data means anything: births, descriptions, discovery. */
export function descriptions(): Received[] {
  const out: Received[] = [];
  const z2mDevices = [{ ieee_address: "0x0000000000000000", type: "Coordinator", friendly_name: "Coordinator" }];
  for (let d = 0; d < DEVICES; d++) {
    out.push(
      msg(
        `spBv1.0/bench/NBIRTH/edge-${d}`,
        sparkplug.encodePayload({
          timestamp: 1,
          seq: 0,
          metrics: [
            { name: "bdSeq", type: "Int64", value: 0 },
            { name: "Node Control/Rebirth", type: "Boolean", value: false },
            { name: "Inputs/temperature", alias: 1, type: "Float", value: 20, properties: { engUnit: { type: "String", value: "°C" } } },
            { name: "Inputs/pressure", alias: 2, type: "Double", value: 101, properties: { engUnit: { type: "String", value: "kPa" } } },
          ],
        }),
      ),
    );
    z2mDevices.push({
      ieee_address: `0x00158d0000${String(d).padStart(6, "0")}`,
      type: "EndDevice",
      friendly_name: `room ${d}/sensor`,
      definition: {
        model: "WSDCGQ11LM",
        vendor: "Aqara",
        exposes: [
          { type: "numeric", name: "temperature", property: "temperature", unit: "°C", access: 1 },
          { type: "numeric", name: "humidity", property: "humidity", unit: "%", access: 1 },
        ],
      },
    } as (typeof z2mDevices)[number]);
    out.push(
      msg(
        `homeassistant/sensor/bench-${d}/temperature/config`,
        JSON.stringify({ name: "Temperature", stat_t: `benchha/${d}/state`, val_tpl: "{{ value_json.temperature }}", unit_of_meas: "°C", dev: { ids: [`benchha_${d}`], name: `HA ${d}` } }),
        true,
      ),
      msg(`homie/5/bench-${d}/$description`, JSON.stringify({ homie: "5.0", version: 1, name: `Bench ${d}`, nodes: { sensor: { properties: { temperature: { datatype: "float", unit: "°C" } } } } }), true),
      msg(`homie/5/bench-${d}/$state`, "ready", true),
    );
  }
  out.push(msg("zigbee2mqtt/bridge/devices", JSON.stringify(z2mDevices), true));
  return out;
}

export function mixedStream(count: number): Received[] {
  const seq = new Array<number>(DEVICES).fill(0);
  const kinds: ((d: number, i: number) => Received)[] = [
    (d, i) => msg(`fleet/bench/arm-${d}/telemetry`, JSON.stringify({ seq: i + 1, temp: 40 + (i % 7) / 10, current: 1.2 })),
    (d, i) => {
      seq[d] = (seq[d]! + 1) % 256;
      return msg(
        `spBv1.0/bench/NDATA/edge-${d}`,
        sparkplug.encodePayload({ timestamp: i, seq: seq[d], metrics: [{ alias: 1, type: "Float", value: 20 + (i % 5) }, { alias: 2, type: "Double", value: 101.5 }] }),
      );
    },
    (d, i) => msg(`zigbee2mqtt/room ${d}/sensor`, JSON.stringify({ temperature: 21 + (i % 3), humidity: 40, linkquality: 120 })),
    (d, i) => msg(`benchha/${d}/state`, JSON.stringify({ temperature: 21 + (i % 3) })),
    (d, i) => msg(`tele/tasmota_${d}/SENSOR`, JSON.stringify({ Time: "2026-12-03T12:00:00", ENERGY: { Power: 40 + (i % 9), Voltage: 230, Current: 0.18 }, TempUnit: "C" })),
    (d, i) => msg(`homie/5/bench-${d}/sensor/temperature`, String(21 + (i % 4) / 4)),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(Math.floor(i / kinds.length) % DEVICES, i));
}

