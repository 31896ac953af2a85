/**
 * The conventions Fleetscope reads by default, in the order they are asked: a message two of
 * them read (a Zigbee2MQTT state that Home Assistant discovery also names) belongs to the first.
 */
import type { Convention } from "./convention";
import { demo } from "./conventions/demo";

export const BUILT_IN_CONVENTIONS: readonly Convention<never>[] = [demo as Convention<never>];
