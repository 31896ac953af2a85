/**
 * The conventions Fleetscope reads by default, in the order they are asked: a message two of
 * them read (a Zigbee2MQTT state that Home Assistant discovery also names) belongs to the first.
 */
import type { Convention } from "./convention";
import { demo } from "./conventions/demo";
import { homeassistant } from "./conventions/homeassistant";
import { homie } from "./conventions/homie";
import { sparkplug } from "./conventions/sparkplug";
import { zigbee2mqtt } from "./conventions/zigbee2mqtt";
import { tasmota } from "./conventions/tasmota";
import { ruleConventions, type Rule } from "./conventions/rules";

export const BUILT_IN_CONVENTIONS: readonly Convention<never>[] = [demo, sparkplug, homie, zigbee2mqtt, homeassistant, tasmota].map((c) => c as Convention<never>);

/** The built-in conventions, then a user's own rules: a known layout is never taken by a rule. */
export function conventionsWith(rules: readonly Rule[]): readonly Convention<never>[] {
  if (rules.length === 0) return BUILT_IN_CONVENTIONS;
  return [...BUILT_IN_CONVENTIONS, ...ruleConventions(rules).map((c) => ({ ...c, onlyUnclaimed: true }) as Convention<never>)];
}
