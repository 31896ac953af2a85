/**
 * Home Assistant MQTT discovery (home-assistant.io/integrations/mqtt/#mqtt-discovery): retained
 * configs on `<prefix>/<component>/[<node_id>/]<object_id>/config` describe entities, and the
 * one-message form `<prefix>/device/<id>/config` describes a device's entities under `cmps`.
 * The configs say where each entity's state and availability are published, so those topics
 * are learned here (claims, learnedFilters) and read with the entity's `value_template`, in the
 * subset ha-template.ts reads.
 *
 * Read as Home Assistant reads it (homeassistant/components/mqtt/discovery.py): abbreviations
 * expanded (the full table, abbreviations.py), shared device-level options inherited by `cmps`
 * entries, `~` replaced only at the start or end of a `*topic` value, an empty payload deletes.
 * A config is untrusted (anyone who may publish on the prefix wrote it): one that is not JSON,
 * names a filter (`#`, `+/x`) as a topic, carries a template outside the subset or passes a bound
 * changes nothing and says a problem.
 *
 * Entities group into devices by their `device` block: first identifier, else first connection;
 * an entity without one is its own device. Zigbee2MQTT publishes discovery for its devices
 * (`identifiers: ["zigbee2mqtt_<ieee>"]`): those facts go to Zigbee2MQTT's own device id and
 * convention, saying only which discovery configs describe it (`sources`). Its state and
 * availability topics are left to the Zigbee2MQTT convention, which already reads them, so
 * nothing is counted twice.
 *
 * Commands: `command_topic` makes one (switch/light: the on/off payloads; number: min..max;
 * select: its options; button/scene: the press payload; others: a string). Not offered: those
 * with a `command_template`, and JSON/template-schema lights, whose requests would have to be
 * rendered. Switch, light,
 * number, select and text with a state topic are confirmed by the state echoing the value. The
 * rest has nothing on the device that says it was done: they are confirmed as `reply` on the
 * command topic itself, i.e. by the broker relaying the request (delivered, not done).
 */
import { z } from "zod";
import type { DeviceId } from "../model";
import { deviceIdFrom, jsonObjectOf, numberOf } from "../convention";
import type { ArgsJsonSchema, CommandFact, Convention, DeviceFacts, Expectation, Inbound, Interpretation, Measurement, Outbound } from "../convention";
import { compileTemplate, pyStr, templateInput, type CompiledTemplate, type TemplateInput } from "./ha-template";
import { ieeeFromHaIdentifier, isTopicName, z2mDeviceId, ZIGBEE2MQTT_BASE } from "./zigbee2mqtt";

export const HA_DISCOVERY_PREFIX = "homeassistant";
/** Distinct config topics kept; a new one past this is refused with a reason. */
export const MAX_HA_CONFIGS = 2000;
/** Entities kept over all configs. */
export const MAX_HA_ENTITIES = 5000;
/** A config payload larger than this is refused before it is parsed. */
export const MAX_HA_CONFIG_BYTES = 32 * 1024;
/** Entries of one device-form config's `cmps`. */
export const MAX_HA_COMPONENTS_PER_CONFIG = 256;
/** Availability topics of one entity. */
export const MAX_HA_AVAILABILITY_TOPICS = 8;
/** Discovery configs listed as sources of one Zigbee2MQTT device. */
export const MAX_HA_SOURCES = 64;

/** homeassistant/components/mqtt/abbreviations.py, with the keys added since (cmps, p, o, def_ent_id…). */
export const ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({
  act_t: "action_topic", act_tpl: "action_template", atype: "automation_type", aux_cmd_t: "aux_command_topic", aux_stat_tpl: "aux_state_template", aux_stat_t: "aux_state_topic",
  av_tones: "available_tones", avty: "availability", avty_mode: "availability_mode", avty_t: "availability_topic", avty_tpl: "availability_template",
  away_mode_cmd_t: "away_mode_command_topic", away_mode_stat_tpl: "away_mode_state_template", away_mode_stat_t: "away_mode_state_topic", b_tpl: "blue_template",
  bri_cmd_tpl: "brightness_command_template", bri_cmd_t: "brightness_command_topic", bri_scl: "brightness_scale", bri_stat_t: "brightness_state_topic", bri_tpl: "brightness_template", bri_val_tpl: "brightness_value_template",
  clr_temp_cmd_tpl: "color_temp_command_template", bat_lev_t: "battery_level_topic", bat_lev_tpl: "battery_level_template", chrg_t: "charging_topic", chrg_tpl: "charging_template",
  clrm: "color_mode", clrm_stat_t: "color_mode_state_topic", clrm_val_tpl: "color_mode_value_template", clr_temp_cmd_t: "color_temp_command_topic", clr_temp_k: "color_temp_kelvin", clr_temp_stat_t: "color_temp_state_topic", clr_temp_tpl: "color_temp_template", clr_temp_val_tpl: "color_temp_value_template",
  cln_t: "cleaning_topic", cln_tpl: "cleaning_template", cmd_off_tpl: "command_off_template", cmd_on_tpl: "command_on_template", cmd_t: "command_topic", cmd_tpl: "command_template", cmps: "components",
  cod_arm_req: "code_arm_required", cod_dis_req: "code_disarm_required", cod_trig_req: "code_trigger_required", cont_type: "content_type", curr_temp_t: "current_temperature_topic", curr_temp_tpl: "current_temperature_template",
  def_ent_id: "default_entity_id", dev: "device", dev_cla: "device_class", dir_cmd_t: "direction_command_topic", dir_cmd_tpl: "direction_command_template", dir_stat_t: "direction_state_topic", dir_val_tpl: "direction_value_template",
  dock_t: "docked_topic", dock_tpl: "docked_template", dsp_prc: "display_precision", e: "encoding", en: "enabled_by_default", ent_cat: "entity_category", ent_pic: "entity_picture", err_t: "error_topic", err_tpl: "error_template", evt_typ: "event_types",
  fanspd_t: "fan_speed_topic", fanspd_tpl: "fan_speed_template", fanspd_lst: "fan_speed_list", flsh: "flash", flsh_tlng: "flash_time_long", flsh_tsht: "flash_time_short",
  fx_cmd_tpl: "effect_command_template", fx_cmd_t: "effect_command_topic", fx_list: "effect_list", fx_stat_t: "effect_state_topic", fx_tpl: "effect_template", fx_val_tpl: "effect_value_template", exp_aft: "expire_after",
  fan_mode_cmd_tpl: "fan_mode_command_template", fan_mode_cmd_t: "fan_mode_command_topic", fan_mode_stat_tpl: "fan_mode_state_template", fan_mode_stat_t: "fan_mode_state_topic", frc_upd: "force_update", g_tpl: "green_template",
  hold_cmd_tpl: "hold_command_template", hold_cmd_t: "hold_command_topic", hold_stat_tpl: "hold_state_template", hold_stat_t: "hold_state_topic", hs_cmd_t: "hs_command_topic", hs_cmd_tpl: "hs_command_template", hs_stat_t: "hs_state_topic", hs_val_tpl: "hs_value_template",
  ic: "icon", img_e: "image_encoding", img_t: "image_topic", init: "initial", hum_cmd_t: "target_humidity_command_topic", hum_cmd_tpl: "target_humidity_command_template", hum_stat_t: "target_humidity_state_topic", hum_state_tpl: "target_humidity_state_template",
  json_attr: "json_attributes", json_attr_t: "json_attributes_topic", json_attr_tpl: "json_attributes_template", l_ver_t: "latest_version_topic", l_ver_tpl: "latest_version_template", lrst_t: "last_reset_topic", lrst_val_tpl: "last_reset_value_template",
  max: "max", min: "min", max_hum: "max_humidity", min_hum: "min_humidity", max_k: "max_kelvin", min_k: "min_kelvin", max_mirs: "max_mireds", min_mirs: "min_mireds", max_temp: "max_temp", min_temp: "min_temp", migr_discvry: "migrate_discovery",
  mode: "mode", mode_cmd_tpl: "mode_command_template", mode_cmd_t: "mode_command_topic", mode_stat_t: "mode_state_topic", mode_stat_tpl: "mode_state_template", modes: "modes", name: "name", o: "origin", obj_id: "object_id", off_dly: "off_delay", on_cmd_type: "on_command_type", ops: "options", opt: "optimistic",
  osc_cmd_t: "oscillation_command_topic", osc_cmd_tpl: "oscillation_command_template", osc_stat_t: "oscillation_state_topic", osc_val_tpl: "oscillation_value_template", p: "platform",
  pct_cmd_t: "percentage_command_topic", pct_cmd_tpl: "percentage_command_template", pct_stat_t: "percentage_state_topic", pct_val_tpl: "percentage_value_template",
  pl: "payload", pl_arm_away: "payload_arm_away", pl_arm_home: "payload_arm_home", pl_arm_nite: "payload_arm_night", pl_arm_vacation: "payload_arm_vacation", pl_arm_custom_b: "payload_arm_custom_bypass", pl_avail: "payload_available",
  pl_cln_sp: "payload_clean_spot", pl_cls: "payload_close", pl_dir_fwd: "payload_direction_forward", pl_dir_rev: "payload_direction_reverse", pl_disarm: "payload_disarm", pl_hi_spd: "payload_high_speed", pl_home: "payload_home", pl_inst: "payload_install",
  pl_lock: "payload_lock", pl_loc: "payload_locate", pl_lo_spd: "payload_low_speed", pl_med_spd: "payload_medium_speed", pl_not_avail: "payload_not_available", pl_not_home: "payload_not_home", pl_off: "payload_off", pl_off_spd: "payload_off_speed", pl_on: "payload_on", pl_open: "payload_open",
  pl_osc_off: "payload_oscillation_off", pl_osc_on: "payload_oscillation_on", pl_paus: "payload_pause", pl_prs: "payload_press", pl_rst: "payload_reset", pl_rst_hum: "payload_reset_humidity", pl_rst_mode: "payload_reset_mode", pl_rst_pct: "payload_reset_percentage", pl_rst_pr_mode: "payload_reset_preset_mode",
  pl_stop: "payload_stop", pl_stop_tilt: "payload_stop_tilt", pl_strt: "payload_start", pl_stpa: "payload_start_pause", pl_ret: "payload_return_to_base", pl_toff: "payload_turn_off", pl_ton: "payload_turn_on", pl_trig: "payload_trigger", pl_unlk: "payload_unlock",
  pos: "reports_position", pos_clsd: "position_closed", pos_open: "position_open", pow_cmd_t: "power_command_topic", pow_stat_t: "power_state_topic", pow_stat_tpl: "power_state_template",
  pr_mode_cmd_t: "preset_mode_command_topic", pr_mode_cmd_tpl: "preset_mode_command_template", pr_mode_stat_t: "preset_mode_state_topic", pr_mode_val_tpl: "preset_mode_value_template", pr_modes: "preset_modes", ptrn: "pattern",
  r_tpl: "red_template", rel_s: "release_summary", rel_u: "release_url", ret: "retain", rgb_cmd_tpl: "rgb_command_template", rgb_cmd_t: "rgb_command_topic", rgb_stat_t: "rgb_state_topic", rgb_val_tpl: "rgb_value_template",
  rgbw_cmd_tpl: "rgbw_command_template", rgbw_cmd_t: "rgbw_command_topic", rgbw_stat_t: "rgbw_state_topic", rgbw_val_tpl: "rgbw_value_template", rgbww_cmd_tpl: "rgbww_command_template", rgbww_cmd_t: "rgbww_command_topic", rgbww_stat_t: "rgbww_state_topic", rgbww_val_tpl: "rgbww_value_template",
  send_cmd_t: "send_command_topic", send_if_off: "send_if_off", set_fan_spd_t: "set_fan_speed_topic", set_pos_tpl: "set_position_template", set_pos_t: "set_position_topic", pos_t: "position_topic", pos_tpl: "position_template",
  spd_cmd_t: "speed_command_topic", spd_stat_t: "speed_state_topic", spd_rng_min: "speed_range_min", spd_rng_max: "speed_range_max", spd_val_tpl: "speed_value_template", spds: "speeds", src_type: "source_type",
  stat_cla: "state_class", stat_clsd: "state_closed", stat_closing: "state_closing", stat_jam: "state_jammed", stat_off: "state_off", stat_on: "state_on", stat_open: "state_open", stat_opening: "state_opening", stat_stopped: "state_stopped",
  stat_locked: "state_locked", stat_locking: "state_locking", stat_unlocked: "state_unlocked", stat_unlocking: "state_unlocking", stat_t: "state_topic", stat_tpl: "state_template", stat_val_tpl: "state_value_template",
  step: "step", stype: "subtype", sug_dsp_prc: "suggested_display_precision", sup_dur: "support_duration", sup_vol: "support_volume_set", sup_feat: "supported_features", sup_clrm: "supported_color_modes",
  swing_mode_cmd_tpl: "swing_mode_command_template", swing_mode_cmd_t: "swing_mode_command_topic", swing_mode_stat_tpl: "swing_mode_state_template", swing_mode_stat_t: "swing_mode_state_topic",
  temp_cmd_tpl: "temperature_command_template", temp_cmd_t: "temperature_command_topic", temp_hi_cmd_tpl: "temperature_high_command_template", temp_hi_cmd_t: "temperature_high_command_topic", temp_hi_stat_tpl: "temperature_high_state_template", temp_hi_stat_t: "temperature_high_state_topic",
  temp_lo_cmd_tpl: "temperature_low_command_template", temp_lo_cmd_t: "temperature_low_command_topic", temp_lo_stat_tpl: "temperature_low_state_template", temp_lo_stat_t: "temperature_low_state_topic", temp_stat_tpl: "temperature_state_template", temp_stat_t: "temperature_state_topic", temp_unit: "temperature_unit",
  tilt_clsd_val: "tilt_closed_value", tilt_cmd_t: "tilt_command_topic", tilt_cmd_tpl: "tilt_command_template", tilt_inv_stat: "tilt_invert_state", tilt_max: "tilt_max", tilt_min: "tilt_min", tilt_opnd_val: "tilt_opened_value", tilt_opt: "tilt_optimistic", tilt_status_t: "tilt_status_topic", tilt_status_tpl: "tilt_status_template",
  t: "topic", tit: "title", trns: "transition", uniq_id: "unique_id", unit_of_meas: "unit_of_measurement", url_t: "url_topic", url_tpl: "url_template", val_tpl: "value_template",
  whit_cmd_t: "white_command_topic", whit_scl: "white_scale", whit_val_cmd_t: "white_value_command_topic", whit_val_scl: "white_value_scale", whit_val_stat_t: "white_value_state_topic", whit_val_tpl: "white_value_template",
  xy_cmd_t: "xy_command_topic", xy_cmd_tpl: "xy_command_template", xy_stat_t: "xy_state_topic", xy_val_tpl: "xy_value_template",
});

/** Inside `device`. */
export const DEVICE_ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({
  cns: "connections", cu: "configuration_url", ids: "identifiers", name: "name", mf: "manufacturer", mdl: "model", mdl_id: "model_id", hw: "hw_version", sw: "sw_version", sa: "suggested_area", sn: "serial_number",
});

/** Inside `origin`. */
export const ORIGIN_ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({ name: "name", sw: "sw_version", url: "support_url" });

/** homeassistant/components/mqtt/const.py SUPPORTED_COMPONENTS: HA ignores configs for others. */
export const SUPPORTED_COMPONENTS: ReadonlySet<string> = new Set([
  "alarm_control_panel", "binary_sensor", "button", "camera", "climate", "cover", "device_automation", "device_tracker", "event", "fan", "humidifier", "image", "lawn_mower", "light", "lock",
  "notify", "number", "scene", "select", "sensor", "siren", "switch", "tag", "text", "update", "vacuum", "valve", "water_heater",
]);

/** Device-level options a `cmps` entry inherits unless it sets them (schemas.py SHARED_OPTIONS). */
const SHARED_OPTIONS = ["availability", "availability_mode", "availability_template", "availability_topic", "command_topic", "payload_available", "payload_not_available", "state_topic"] as const;

const SOURCE_PREFIX = "homeassistant:";
const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const TOPIC_MATCHER = /^(\w+)\/(?:([a-zA-Z0-9_-]+)\/)?([a-zA-Z0-9_-]+)\/config$/;

// ---------------------------------------------------------------------------------------------
// What a config says, normalized: plain JSON, so it is also the snapshot's form

export interface HaDeviceInfo {
  identifiers: string[];
  connections: [string, string][];
  name?: string;
  model?: string;
  maker?: string;
  area?: string;
}

export interface HaAvailability {
  topic: string;
  template?: string;
  available: string;
  notAvailable: string;
}

export interface HaEntitySpec {
  configTopic: string;
  /** The `cmps` key in the device form, else null. */
  componentId: string | null;
  component: string;
  objectId: string;
  nodeId: string | null;
  name?: string;
  device?: HaDeviceInfo;
  stateTopic?: string;
  /** The template that reads the state: value_template, or a light's state_value_template. */
  template?: string;
  /** A light's `schema` (default, json, template): how its state reads. */
  lightSchema?: string;
  unit?: string;
  payloadOn?: string;
  payloadOff?: string;
  stateOn?: string;
  stateOff?: string;
  availability: HaAvailability[];
  availabilityMode: "all" | "any" | "latest";
  commandTopic?: string;
  /** A command_template would have to be rendered to write the request: such commands are not offered. */
  commandTemplate: boolean;
  min?: number;
  max?: number;
  options?: string[];
  payloadPress?: string;
}

type Reading = { kind: "number" } | { kind: "binary"; on: string; off: string } | { kind: "none" };

interface HaCommand {
  fact: CommandFact;
  kind: "enum" | "number" | "press" | "string";
  values?: string[];
  min?: number;
  max?: number;
  press?: string;
  /** Whether the state topic shows the value once done. */
  echo: boolean;
}

export interface HaEntity {
  key: string;
  spec: HaEntitySpec;
  deviceId: DeviceId;
  field: string;
  /** Set for an entity Zigbee2MQTT published: its topics are that convention's. */
  z2m: { ieee: string } | null;
  reading: Reading;
  template: CompiledTemplate | null;
  availability: { spec: HaAvailability; template: CompiledTemplate | null }[];
  command: HaCommand | null;
}

export interface HaDevice {
  id: DeviceId;
  z2m: boolean;
  name: string;
  group: string;
  model?: string;
  maker?: string;
  entities: Set<string>;
}

export interface HaState {
  prefix: string;
  /** Config topic → the keys of the entities it describes. */
  configs: Map<string, string[]>;
  entities: Map<string, HaEntity>;
  devices: Map<string, HaDevice>;
  byState: Map<string, Set<string>>;
  byAvailability: Map<string, Set<string>>;
  /** Per entity, what each availability topic last said, and what the latest message said. */
  available: Map<string, { byTopic: Map<string, boolean>; latest: boolean | null }>;
}

export function createHomeassistant(prefix: string = HA_DISCOVERY_PREFIX): Convention<HaState> {
  if (!isTopicName(prefix)) throw new Error(`Home Assistant discovery prefix must be a topic name without wildcards, got ${JSON.stringify(prefix)}`);
  const below = `${prefix}/`;
  return {
    id: "homeassistant",
    label: "Home Assistant discovery",
    filters: [`${prefix}/#`],
    learnedFilters: (state) => learnedFilters(state),
    initialState: () => ({ prefix, configs: new Map(), entities: new Map(), devices: new Map(), byState: new Map(), byAvailability: new Map(), available: new Map() }),
    // Asked of every message: the prefix's text made once, not per call.
    claims: (topic, state) => topic === prefix || topic.startsWith(below) || state.byState.has(topic) || state.byAvailability.has(topic),
    interpret,
    encodeCommand: (device, command, args, _id, state) => encodeCommand(device, command, args, state),
    confirms,
    snapshot: snapshotOf,
    restore: restoreInto,
  };
}

export const homeassistant: Convention<HaState> = createHomeassistant();

/** The learned state and availability topics, less those `<prefix>/#` already covers. */
function learnedFilters(state: HaState): string[] {
  const out = new Set<string>();
  for (const m of [state.byState, state.byAvailability]) for (const t of m.keys()) if (!t.startsWith(`${state.prefix}/`)) out.add(t);
  return [...out];
}

function interpret(msg: Inbound, state: HaState): Interpretation | null {
  if (msg.topic.startsWith(`${state.prefix}/`)) {
    const match = TOPIC_MATCHER.exec(msg.topic.slice(state.prefix.length + 1));
    if (match) return configMessage(msg, state, match[1]!, match[2] ?? null, match[3]!);
  }
  const stateKeys = state.byState.get(msg.topic);
  const availKeys = state.byAvailability.get(msg.topic);
  if (!stateKeys && !availKeys) return null; // `homeassistant/status` and the like
  const out: Interpretation = { device: null, facts: [] };
  if (stateKeys) merge(out, stateMessage(msg, state, stateKeys));
  if (availKeys) merge(out, availabilityMessage(msg, state, availKeys));
  return out;
}

function merge(into: Interpretation, r: Interpretation): void {
  into.device ??= r.device;
  into.facts.push(...r.facts);
  if (r.problem !== undefined) into.problem ??= r.problem;
}

// ---------------------------------------------------------------------------------------------
// Configs

class Refused extends Error {}

function configMessage(msg: Inbound, state: HaState, component: string, nodeId: string | null, objectId: string): Interpretation {
  const refuse = (problem: string): Interpretation => ({ device: null, facts: [], problem });
  if (msg.payload.byteLength > MAX_HA_CONFIG_BYTES) return refuse(`discovery config larger than ${MAX_HA_CONFIG_BYTES} bytes`);
  if (msg.payload.byteLength === 0) return commit(state, msg.topic, []);
  if (component !== "device" && !SUPPORTED_COMPONENTS.has(component)) return refuse(`component ${component} is not one Home Assistant discovers`);
  const json = jsonObjectOf(msg.text);
  if (!json) return refuse("discovery config is not a JSON object");
  try {
    if (component !== "device") return commit(state, msg.topic, [buildEntity(entitySpec(expandEntity(json), msg.topic, null, component, nodeId, objectId))]);
    // One component the device form cannot read (a template outside the subset) is left out,
    // and said; the device and its other components are not.
    const skipped: string[] = [];
    const entities = deviceFormSpecs(json, msg.topic, nodeId, objectId, skipped).flatMap((spec) => {
      try {
        return [buildEntity(spec)];
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        skipped.push(`component ${spec.componentId}: ${e.message}`);
        return [];
      }
    });
    const out = commit(state, msg.topic, entities);
    if (skipped.length > 0 && out.problem === undefined) out.problem = `${msg.topic}: ${skipped.join("; ")}`;
    return out;
  } catch (e) {
    if (e instanceof Refused) return refuse(e.message);
    throw e;
  }
}

/** Abbreviated keys replaced by their full names; the abbreviated one wins, as HA pops it last. */
function expandKeys(o: Record<string, unknown>, table: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (Object.hasOwn(o, k) && !Object.hasOwn(table, k)) out[k] = o[k];
  for (const k in o) if (Object.hasOwn(o, k) && Object.hasOwn(table, k)) out[table[k]!] = o[k];
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** An entity payload with every abbreviation expanded: its own keys, `device`, `origin`, availability items. */
function expandEntity(o: Record<string, unknown>): Record<string, unknown> {
  const out = expandKeys(o, ABBREVIATIONS);
  if (isObject(out.device)) out.device = expandKeys(out.device, DEVICE_ABBREVIATIONS);
  if (isObject(out.origin)) out.origin = expandKeys(out.origin, ORIGIN_ABBREVIATIONS);
  if (Array.isArray(out.availability)) out.availability = out.availability.map((a) => (isObject(a) ? expandKeys(a, ABBREVIATIONS) : a));
  else if (isObject(out.availability)) out.availability = expandKeys(out.availability, ABBREVIATIONS);
  return out;
}

function deviceFormSpecs(json: Record<string, unknown>, configTopic: string, nodeId: string | null, objectId: string, skipped: string[]): HaEntitySpec[] {
  const root = expandEntity(json);
  if (!isObject(root.device)) throw new Refused("device discovery config without a device block");
  if (!isObject(root.origin)) throw new Refused("device discovery config without an origin (o)");
  if (!isObject(root.components)) throw new Refused("device discovery config whose cmps is not an object");
  const entries = Object.entries(root.components);
  if (entries.length > MAX_HA_COMPONENTS_PER_CONFIG) throw new Refused(`device discovery config with ${entries.length} components, more than ${MAX_HA_COMPONENTS_PER_CONFIG}`);
  const specs: HaEntitySpec[] = [];
  for (const [id, raw] of entries) {
    if (!isObject(raw)) throw new Refused(`component ${id} is not an object`);
    const c = expandEntity(raw);
    const platform = c.platform;
    if (typeof platform !== "string" || !SUPPORTED_COMPONENTS.has(platform)) throw new Refused(`component ${id} has no platform Home Assistant discovers`);
    // `{ "p": "sensor" }` alone removes that component from the device (HA's docs).
    if (Object.keys(c).length === 1) continue;
    for (const option of SHARED_OPTIONS) if (Object.hasOwn(root, option) && !Object.hasOwn(c, option)) c[option] = root[option];
    c.device = root.device;
    // In the device form the topic's object_id names the device; the cmps key names the entity.
    try {
      specs.push(entitySpec(c, configTopic, id, platform, nodeId ?? objectId, id));
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      skipped.push(`component ${id}: ${e.message}`);
    }
  }
  return specs;
}

/** The config, `~` replaced, checked and reduced to what is read. Throws Refused. */
function entitySpec(c: Record<string, unknown>, configTopic: string, componentId: string | null, component: string, nodeId: string | null, objectId: string): HaEntitySpec {
  if (Object.hasOwn(c, "~")) replaceTopicBase(c);
  const spec: HaEntitySpec = { configTopic, componentId, component, objectId, nodeId, availability: availabilityOf(c), availabilityMode: modeOf(c.availability_mode), commandTemplate: c.command_template !== undefined };
  const name = textOf(c.name);
  if (name !== undefined) spec.name = name;
  if (c.device !== undefined) spec.device = deviceInfoOf(c.device);
  const stateTopic = topicOf(c.state_topic, "state_topic");
  if (stateTopic !== undefined) spec.stateTopic = stateTopic;
  const commandTopic = topicOf(c.command_topic, "command_topic");
  if (commandTopic !== undefined) spec.commandTopic = commandTopic;
  const template = stateTemplateOf(c, component);
  if (template !== undefined) spec.template = template;
  if (component === "light" && typeof c.schema === "string") spec.lightSchema = c.schema;
  const unit = textOf(c.unit_of_measurement);
  if (unit !== undefined) spec.unit = unit;
  for (const [k, from] of [["payloadOn", "payload_on"], ["payloadOff", "payload_off"], ["stateOn", "state_on"], ["stateOff", "state_off"], ["payloadPress", "payload_press"]] as const) {
    const v = payloadOf(c[from]);
    if (v !== undefined) spec[k] = v;
  }
  if (component === "scene" && spec.payloadPress === undefined && spec.payloadOn !== undefined) spec.payloadPress = spec.payloadOn;
  const min = numberOf(c.min);
  const max = numberOf(c.max);
  if (min !== null) spec.min = min;
  if (max !== null) spec.max = max;
  if (Array.isArray(c.options) && c.options.length <= 256) spec.options = c.options.map(payloadOf).filter((o): o is string => o !== undefined);
  return spec;
}

/**
 * `~` → the base, only at the start or at the end of a value whose key ends in `topic`, and of
 * each availability item's topic. As HA's _replace_topic_base: both tests read the original
 * value, so a value with `~` at both ends gets only its end replaced.
 */
function replaceTopicBase(c: Record<string, unknown>): void {
  const base = c["~"];
  delete c["~"];
  if (typeof base !== "string") throw new Refused("~ is not a string");
  const replaced = (v: string): string => {
    let out = v;
    if (v.startsWith("~")) out = base + v.slice(1);
    if (v.endsWith("~")) out = v.slice(0, -1) + base;
    return out;
  };
  for (const k of Object.keys(c)) {
    const v = c[k];
    if (k.endsWith("topic") && typeof v === "string" && v !== "") c[k] = replaced(v);
  }
  const items = Array.isArray(c.availability) ? c.availability : isObject(c.availability) ? [c.availability] : [];
  for (const a of items) if (isObject(a) && typeof a.topic === "string" && a.topic !== "") a.topic = replaced(a.topic);
}

function textOf(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** HA's cv.string: numbers and booleans become their Python str() (`payload_on: true` → "True"). */
function payloadOf(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? pyStr(v) : undefined;
}

function topicOf(v: unknown, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new Refused(`${key} is not a string`);
  // HA would subscribe to a filter here; a state topic names one topic, or it could claim all.
  if (!isTopicName(v)) throw new Refused(`${key} ${JSON.stringify(v.slice(0, 80))} is a filter or empty, not a topic name`);
  return v;
}

function modeOf(v: unknown): HaEntitySpec["availabilityMode"] {
  if (v === undefined) return "latest";
  if (v === "all" || v === "any" || v === "latest") return v;
  throw new Refused(`availability_mode ${JSON.stringify(v)} is not all, any or latest`);
}

function templateSource(v: unknown, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new Refused(`${key} is not a string`);
  return v;
}

function stateTemplateOf(c: Record<string, unknown>, component: string): string | undefined {
  if (component !== "light") return templateSource(c.value_template, "value_template");
  // JSON-schema lights publish `{"state": "ON", …}`; the default schema reads state_value_template.
  if (c.schema === "json") return "{{ value_json.state }}";
  if (c.schema === "template") return undefined;
  return templateSource(c.state_value_template, "state_value_template");
}

function availabilityOf(c: Record<string, unknown>): HaAvailability[] {
  const single = c.availability_topic;
  const list = c.availability;
  if (single !== undefined && list !== undefined) throw new Refused("availability and availability_topic are exclusive");
  if (single !== undefined) {
    const a: HaAvailability = { topic: topicOf(single, "availability_topic")!, available: payloadOf(c.payload_available) ?? "online", notAvailable: payloadOf(c.payload_not_available) ?? "offline" };
    const t = templateSource(c.availability_template, "availability_template");
    if (t !== undefined) a.template = t;
    return [a];
  }
  if (list === undefined) return [];
  const items = Array.isArray(list) ? list : [list];
  if (items.length > MAX_HA_AVAILABILITY_TOPICS) throw new Refused(`more than ${MAX_HA_AVAILABILITY_TOPICS} availability topics`);
  return items.map((raw) => {
    if (!isObject(raw)) throw new Refused("an availability entry is not an object");
    if (raw.topic === undefined) throw new Refused("an availability entry has no topic");
    const a: HaAvailability = { topic: topicOf(raw.topic, "availability topic")!, available: payloadOf(raw.payload_available) ?? "online", notAvailable: payloadOf(raw.payload_not_available) ?? "offline" };
    const t = templateSource(raw.value_template, "availability value_template");
    if (t !== undefined) a.template = t;
    return a;
  });
}

function deviceInfoOf(v: unknown): HaDeviceInfo {
  if (!isObject(v)) throw new Refused("device is not an object");
  const ids = v.identifiers === undefined ? [] : Array.isArray(v.identifiers) ? v.identifiers : [v.identifiers];
  const identifiers = ids.map(payloadOf).filter((s): s is string => s !== undefined && s !== "");
  const cns = Array.isArray(v.connections) ? v.connections : [];
  const connections = cns.filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length === 2).map(([a, b]) => [payloadOf(a) ?? "", payloadOf(b) ?? ""] as [string, string]);
  // HA: "Device must have at least one identifying value in 'identifiers' and/or 'connections'".
  if (identifiers.length === 0 && connections.length === 0) throw new Refused("device has neither identifiers nor connections");
  const info: HaDeviceInfo = { identifiers: identifiers.slice(0, 16), connections: connections.slice(0, 16) };
  for (const [k, from] of [["name", "name"], ["model", "model"], ["maker", "manufacturer"], ["area", "suggested_area"]] as const) {
    const s = textOf(v[from]);
    if (s !== undefined) info[k] = s;
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// From a spec to what is read

function buildEntity(spec: HaEntitySpec): HaEntity {
  const first = spec.device?.identifiers[0];
  const ieee = first === undefined ? null : ieeeFromHaIdentifier(first);
  const key = spec.componentId === null ? spec.configTopic : `${spec.configTopic}#${spec.componentId}`;
  const entity: HaEntity = {
    key,
    spec,
    deviceId: ieee !== null ? z2mDeviceId(ieee) : haDeviceId(spec),
    field: spec.objectId,
    z2m: ieee !== null ? { ieee } : null,
    reading: readingOf(spec),
    template: null,
    availability: [],
    command: null,
  };
  // Zigbee2MQTT's entities: their topics are read by its own convention, so their templates are
  // never run here (its event entities carry long Jinja programs well outside the subset).
  if (entity.z2m) return entity;
  entity.template = spec.template === undefined ? null : compiled(spec.template, "value_template");
  entity.availability = spec.availability.map((a) => ({ spec: a, template: a.template === undefined ? null : compiled(a.template, "availability template") }));
  entity.command = commandOf(spec, entity);
  return entity;
}

function compiled(source: string, what: string): CompiledTemplate {
  const c = compileTemplate(source);
  if (!c.ok) throw new Refused(`${what}: ${c.problem}`);
  return c.template;
}

/** By first identifier, else first connection; an entity without a device block is one itself. */
function haDeviceId(spec: HaEntitySpec): DeviceId {
  const d = spec.device;
  if (d?.identifiers[0] !== undefined) return deviceIdFrom("ha", d.identifiers[0]);
  if (d?.connections[0] !== undefined) return deviceIdFrom("ha", "cns", d.connections[0][0], d.connections[0][1]);
  return deviceIdFrom("ha", "entity", spec.component, spec.nodeId ?? "", spec.objectId);
}

function readingOf(spec: HaEntitySpec): Reading {
  if (spec.stateTopic === undefined) return { kind: "none" };
  switch (spec.component) {
    case "sensor":
    case "number":
      return { kind: "number" };
    case "binary_sensor":
      return { kind: "binary", on: spec.payloadOn ?? "ON", off: spec.payloadOff ?? "OFF" };
    case "switch":
      return { kind: "binary", on: spec.stateOn ?? spec.payloadOn ?? "ON", off: spec.stateOff ?? spec.payloadOff ?? "OFF" };
    case "light":
      // A template-schema light publishes whatever its own templates make of it: not read.
      return spec.lightSchema === "template" ? { kind: "none" } : { kind: "binary", on: spec.payloadOn ?? "ON", off: spec.payloadOff ?? "OFF" };
    default:
      return { kind: "none" };
  }
}

const ECHOED = new Set(["switch", "light", "number", "select", "text"]);

function commandOf(spec: HaEntitySpec, entity: HaEntity): HaCommand | null {
  if (spec.commandTopic === undefined || spec.commandTemplate) return null;
  const name = commandNameOf(entity.field);
  if (name === null) return null;
  const echo = spec.stateTopic !== undefined && ECHOED.has(spec.component);
  const fact = (args: ArgsJsonSchema): CommandFact => ({ name, description: `${spec.component} ${spec.name ?? entity.field}`, args, topic: spec.commandTopic!, confirm: echo ? "echo" : "reply" });
  const valueArg = (p: ArgsJsonSchema["properties"][string]): ArgsJsonSchema => ({ type: "object", properties: { value: p }, required: ["value"], additionalProperties: false });
  switch (spec.component) {
    case "light":
    case "switch": {
      // JSON- and template-schema lights take JSON or templated commands, not the bare payloads.
      if (spec.component === "light" && spec.lightSchema !== undefined && spec.lightSchema !== "default" && spec.lightSchema !== "basic") return null;
      const values = [spec.payloadOn ?? "ON", spec.payloadOff ?? "OFF"];
      return { fact: fact(valueArg({ type: "string", enum: values })), kind: "enum", values, echo };
    }
    case "number": {
      // HA's MQTT number defaults: min 1, max 100.
      const min = spec.min ?? 1;
      const max = spec.max ?? 100;
      return { fact: fact(valueArg({ type: "number", minimum: min, maximum: max })), kind: "number", min, max, echo };
    }
    case "select": {
      const values = spec.options ?? [];
      return values.length === 0 ? null : { fact: fact(valueArg({ type: "string", enum: values })), kind: "enum", values, echo };
    }
    case "button":
    case "scene":
      return { fact: fact({ type: "object", properties: {}, additionalProperties: false }), kind: "press", press: spec.payloadPress ?? (spec.component === "scene" ? "ON" : "PRESS"), echo: false };
    default:
      return { fact: fact(valueArg({ type: "string" })), kind: "string", echo };
  }
}

/** A command name from a field: one topic level, starting with a letter (lib/commands/definitions.ts). */
function commandNameOf(field: string): string | null {
  const plain = field.replace(/[^A-Za-z0-9_-]/g, "_");
  const name = /^[A-Za-z]/.test(plain) ? plain : `set_${plain}`;
  return COMMAND_NAME.test(name) ? name : null;
}

// ---------------------------------------------------------------------------------------------
// Committing a config: the only place the state changes for one

function commit(state: HaState, configTopic: string, entities: HaEntity[]): Interpretation {
  const old = state.configs.get(configTopic) ?? [];
  if (old.length === 0 && entities.length > 0 && state.configs.size >= MAX_HA_CONFIGS) return { device: null, facts: [], problem: `more than ${MAX_HA_CONFIGS} discovery configs` };
  if (state.entities.size - old.length + entities.length > MAX_HA_ENTITIES) return { device: null, facts: [], problem: `more than ${MAX_HA_ENTITIES} discovered entities` };
  const affected = new Set<string>();
  for (const key of old) {
    const e = state.entities.get(key);
    if (e) affected.add(e.deviceId);
    removeEntity(state, key);
  }
  for (const e of entities) {
    addEntity(state, e);
    affected.add(e.deviceId);
  }
  if (entities.length > 0) state.configs.set(configTopic, entities.map((e) => e.key));
  else state.configs.delete(configTopic);
  const facts = [...affected].map((id) => describeDevice(state, id as DeviceId));
  return { device: entities[0]?.deviceId ?? facts[0]?.id ?? null, facts };
}

function addEntity(state: HaState, e: HaEntity): void {
  state.entities.set(e.key, e);
  let dev = state.devices.get(e.deviceId);
  if (!dev) {
    dev = { id: e.deviceId, z2m: e.z2m !== null, name: "", group: "", entities: new Set() };
    state.devices.set(e.deviceId, dev);
  }
  dev.entities.add(e.key);
  describeFrom(dev, e, state.prefix);
  if (e.z2m) return;
  if (e.spec.stateTopic !== undefined) index(state.byState, e.spec.stateTopic, e.key);
  for (const a of e.availability) index(state.byAvailability, a.spec.topic, e.key);
}

/** The device's name, area, model and maker as the latest config says them. */
function describeFrom(dev: HaDevice, e: HaEntity, prefix: string): void {
  const d = e.spec.device;
  dev.name = d?.name ?? (dev.name || (e.spec.name ?? e.field));
  if (e.z2m) {
    // Zigbee2MQTT's group is its base topic: the state topic less `/<friendly name>`.
    const st = e.spec.stateTopic;
    dev.group = st !== undefined && d?.name !== undefined && st.endsWith(`/${d.name}`) ? st.slice(0, -(d.name.length + 1)) : ZIGBEE2MQTT_BASE;
    return;
  }
  dev.group = d?.area ?? e.spec.nodeId ?? prefix;
  if (d?.model !== undefined) dev.model = d.model;
  if (d?.maker !== undefined) dev.maker = d.maker;
}

function removeEntity(state: HaState, key: string): void {
  const e = state.entities.get(key);
  if (!e) return;
  state.entities.delete(key);
  state.available.delete(key);
  if (e.spec.stateTopic !== undefined) unindex(state.byState, e.spec.stateTopic, key);
  for (const a of e.availability) unindex(state.byAvailability, a.spec.topic, key);
  const dev = state.devices.get(e.deviceId);
  dev?.entities.delete(key);
}

function index(m: Map<string, Set<string>>, topic: string, key: string): void {
  let s = m.get(topic);
  if (!s) m.set(topic, (s = new Set()));
  s.add(key);
}

function unindex(m: Map<string, Set<string>>, topic: string, key: string): void {
  const s = m.get(topic);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) m.delete(topic);
}

/**
 * What the configs now say of a device. A device whose last entity went is forgotten here; its
 * facts then list no commands (or sources), since the seam has no fact for a device that is gone.
 */
function describeDevice(state: HaState, id: DeviceId): DeviceFacts {
  const dev = state.devices.get(id);
  if (!dev) throw new Error("unreachable: an affected device is always known");
  const entities = [...dev.entities].map((k) => state.entities.get(k)).filter((e): e is HaEntity => e !== undefined);
  if (entities.length === 0) state.devices.delete(id);
  const facts: DeviceFacts = { id, convention: dev.z2m ? "zigbee2mqtt" : "homeassistant", name: dev.name, group: dev.group, seen: false };
  if (dev.z2m) {
    const topics = [...new Set(entities.map((e) => e.spec.configTopic))].sort();
    facts.sources = topics.slice(0, MAX_HA_SOURCES).map((t) => SOURCE_PREFIX + t);
    return facts;
  }
  if (dev.model !== undefined) facts.model = dev.model;
  if (dev.maker !== undefined) facts.maker = dev.maker;
  const commands: CommandFact[] = [];
  for (const e of entities) if (e.command && !commands.some((c) => c.name === e.command!.fact.name)) commands.push(e.command.fact);
  facts.commands = commands;
  return facts;
}

// ---------------------------------------------------------------------------------------------
// State and availability messages

function deviceBase(state: HaState, id: DeviceId, seen: boolean): DeviceFacts {
  const dev = state.devices.get(id);
  return { id, convention: "homeassistant", name: dev?.name ?? id, group: dev?.group ?? state.prefix, seen };
}

/** What an entity's template (or the raw payload) renders to, or undefined. */
function rendered(e: HaEntity, input: TemplateInput): unknown {
  if (!e.template) return input.value;
  const r = e.template.render(input);
  return r.ok ? r.value : undefined;
}

function valueOf(e: HaEntity, input: TemplateInput): number | null {
  if (e.reading.kind === "none") return null;
  const v = rendered(e, input);
  if (v === undefined) return null;
  if (e.reading.kind === "number") {
    const n = typeof v === "number" || typeof v === "string" ? numberOf(v) : null;
    return n;
  }
  const s = pyStr(v);
  return s === e.reading.on ? 1 : s === e.reading.off ? 0 : null;
}

function stateMessage(msg: Inbound, state: HaState, keys: Set<string>): Interpretation {
  const byDevice = new Map<string, DeviceFacts>();
  const input = msg.text === null ? null : templateInput(msg.text);
  for (const key of keys) {
    const e = state.entities.get(key);
    if (!e) continue;
    let facts = byDevice.get(e.deviceId);
    if (!facts) byDevice.set(e.deviceId, (facts = deviceBase(state, e.deviceId, !msg.retain)));
    const n = input === null ? null : valueOf(e, input);
    if (n === null) continue;
    const m: Measurement = e.spec.unit !== undefined ? { value: n, unit: e.spec.unit, topic: msg.topic } : { value: n, topic: msg.topic };
    (facts.measurements ??= {})[e.field] = m;
  }
  const facts = [...byDevice.values()];
  const out: Interpretation = { device: facts[0]?.id ?? null, facts };
  if (input === null) out.problem = "too_large";
  return out;
}

function availabilityMessage(msg: Inbound, state: HaState, keys: Set<string>): Interpretation {
  const input = msg.text === null ? null : templateInput(msg.text);
  const results = new Map<string, boolean[]>();
  for (const key of keys) {
    const e = state.entities.get(key);
    if (!e || input === null) continue;
    const said = availabilitySaid(e, msg.topic, input);
    if (said === null) continue;
    const mem = state.available.get(key) ?? { byTopic: new Map<string, boolean>(), latest: null };
    mem.byTopic.set(msg.topic, said);
    mem.latest = said;
    state.available.set(key, mem);
    const now = entityAvailable(e, mem);
    if (now === null) continue;
    const list = results.get(e.deviceId) ?? [];
    list.push(now);
    results.set(e.deviceId, list);
  }
  const facts: DeviceFacts[] = [];
  for (const [id, list] of results) {
    // A device is online when one of its entities is: they mostly share one availability config.
    const status = list.some(Boolean) ? "online" : "offline";
    const f = deviceBase(state, id as DeviceId, !msg.retain);
    f.liveness = { status, reason: `HA availability ${status} on ${msg.topic}`, since: msg.ts };
    facts.push(f);
  }
  const out: Interpretation = { device: facts[0]?.id ?? null, facts };
  if (input === null) out.problem = "too_large";
  return out;
}

/** What this topic's message says of the entity's availability: true, false, or nothing. */
function availabilitySaid(e: HaEntity, topic: string, input: TemplateInput): boolean | null {
  const a = e.availability.find((x) => x.spec.topic === topic);
  if (!a) return null;
  let s = input.value;
  if (a.template) {
    const r = a.template.render(input);
    if (!r.ok) return null;
    s = pyStr(r.value);
  }
  return s === a.spec.available ? true : s === a.spec.notAvailable ? false : null;
}

/**
 * availability_mode: `latest` follows the last message; `all` is online when every topic said
 * available and offline once one said not; `any` online once one said available, offline when
 * all said not. Topics not heard from yet leave it unknown rather than offline.
 */
function entityAvailable(e: HaEntity, mem: { byTopic: Map<string, boolean>; latest: boolean | null }): boolean | null {
  const topics = e.availability.map((a) => a.spec.topic);
  const said = topics.map((t) => mem.byTopic.get(t));
  switch (e.spec.availabilityMode) {
    case "latest":
      return mem.latest;
    case "all":
      return said.includes(false) ? false : said.every((s) => s === true) ? true : null;
    case "any":
      return said.includes(true) ? true : said.every((s) => s === false) ? false : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

function encodeCommand(device: DeviceFacts, command: CommandFact, args: Record<string, unknown>, state: HaState): { request: Outbound; expect: Expectation } {
  const dev = state.devices.get(device.id);
  const entity = dev ? [...dev.entities].map((k) => state.entities.get(k)).find((e) => e?.command?.fact.name === command.name) : undefined;
  if (!entity?.command || entity.spec.commandTopic === undefined) throw new Error(`no discovery config here describes ${command.name} of ${device.name}`);
  const c = entity.command;
  const payload = payloadFor(c, args);
  const request: Outbound = { topic: entity.spec.commandTopic, payload, qos: 1, retain: false };
  if (!c.echo || entity.spec.stateTopic === undefined) return { request, expect: { kind: "reply", topic: entity.spec.commandTopic } };
  return { request, expect: { kind: "echo", topic: entity.spec.stateTopic, path: [entity.key], value: echoValue(entity, c, args) } };
}

function payloadFor(c: HaCommand, args: Record<string, unknown>): string {
  const extra = Object.keys(args).filter((k) => k !== "value");
  if (extra.length > 0) throw new Error(`unknown argument ${extra[0]}`);
  if (c.kind === "press") return c.press!;
  const v = args.value;
  if (v === undefined) throw new Error("value is required");
  if (c.kind === "number") {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error("value must be a number");
    if (v < c.min! || v > c.max!) throw new Error(`value must be between ${c.min} and ${c.max}`);
    return String(v);
  }
  if (typeof v !== "string") throw new Error("value must be a string");
  if (c.kind === "enum" && !c.values!.includes(v)) throw new Error(`value must be one of ${c.values!.map((x) => JSON.stringify(x)).join(", ")}`);
  return v;
}

/** What the state shows once done: a switch's state_on for its payload_on, else the value itself. */
function echoValue(e: HaEntity, c: HaCommand, args: Record<string, unknown>): string | number {
  const v = args.value as string | number;
  if (c.kind === "enum" && e.reading.kind === "binary" && c.values!.length === 2) return v === c.values![0] ? e.reading.on : e.reading.off;
  return v;
}

function confirms(expect: Expectation, msg: Inbound, state: HaState): { ok: true; result?: unknown } | { ok: false; error: string } | null {
  if (msg.topic !== expect.topic) return null;
  // No state topic to show it done: the broker relaying the request is as far as anyone can see.
  if (expect.kind === "reply") return { ok: true, result: "published; nothing on the device confirms it" };
  const e = state.entities.get(expect.path[0] ?? "");
  // A retained replay is the state from before the command (what subscribing to the echo brings).
  if (!e || msg.text === null || msg.retain) return null;
  const v = rendered(e, templateInput(msg.text));
  if (v === undefined) return null;
  const same = typeof expect.value === "number" ? (typeof v === "number" || typeof v === "string" ? numberOf(v) : null) === expect.value : pyStr(v) === String(expect.value);
  return same ? { ok: true, result: v } : null;
}

// ---------------------------------------------------------------------------------------------
// Snapshot: the normalized configs; restore rebuilds them as a config would, templates refused alike

const availabilitySnapshot = z.object({ topic: z.string().min(1), template: z.string().optional(), available: z.string(), notAvailable: z.string() });
const deviceSnapshot = z.object({
  identifiers: z.array(z.string()).max(16),
  connections: z.array(z.tuple([z.string(), z.string()])).max(16),
  name: z.string().optional(),
  model: z.string().optional(),
  maker: z.string().optional(),
  area: z.string().optional(),
});
const specSnapshot = z.object({
  configTopic: z.string().min(1),
  componentId: z.string().nullable(),
  component: z.string(),
  objectId: z.string().min(1),
  nodeId: z.string().nullable(),
  name: z.string().optional(),
  device: deviceSnapshot.optional(),
  stateTopic: z.string().optional(),
  template: z.string().optional(),
  lightSchema: z.string().optional(),
  unit: z.string().optional(),
  payloadOn: z.string().optional(),
  payloadOff: z.string().optional(),
  stateOn: z.string().optional(),
  stateOff: z.string().optional(),
  availability: z.array(availabilitySnapshot).max(MAX_HA_AVAILABILITY_TOPICS),
  availabilityMode: z.enum(["all", "any", "latest"]),
  commandTopic: z.string().optional(),
  commandTemplate: z.boolean(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.string()).max(256).optional(),
  payloadPress: z.string().optional(),
});
const snapshotSchema = z.object({ prefix: z.string(), entities: z.array(z.unknown()).max(MAX_HA_ENTITIES) });

function snapshotOf(state: HaState): { prefix: string; entities: HaEntitySpec[] } {
  return { prefix: state.prefix, entities: [...state.entities.values()].map((e) => e.spec) };
}

function restoreInto(snap: unknown, state: HaState): void {
  const p = snapshotSchema.safeParse(snap);
  if (!p.success || p.data.prefix !== state.prefix) return;
  const byConfig = new Map<string, HaEntity[]>();
  for (const raw of p.data.entities) {
    const s = specSnapshot.safeParse(raw);
    if (!s.success || !validRestored(s.data)) continue;
    try {
      const e = buildEntity(dropUndefined(s.data));
      const list = byConfig.get(e.spec.configTopic) ?? [];
      list.push(e);
      byConfig.set(e.spec.configTopic, list);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
    }
  }
  for (const [topic, entities] of byConfig) commit(state, topic, entities);
}

/** What a config would have been refused for, checked again: the snapshot crossed HTTP. */
function validRestored(s: z.infer<typeof specSnapshot>): boolean {
  const topics = [s.stateTopic, s.commandTopic, ...s.availability.map((a) => a.topic)].filter((t): t is string => t !== undefined);
  return topics.every(isTopicName) && (SUPPORTED_COMPONENTS.has(s.component) || s.component === "device");
}

function dropUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
