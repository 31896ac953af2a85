/**
 * Which devices a rule watches. The device's group and convention are the ones its convention
 * said (lib/devices/model.ts); a topic filter matches the topic an observation came from, with
 * MQTT's own matching (lib/mqtt/topic.ts), so `fleet/lab/+/telemetry` means here what it means
 * to a subscriber. Pure.
 */
import type { DeviceId } from "../devices/model";
import { topicMatches } from "../mqtt/topic";
import type { AlertRule } from "./rule";

/** A device as an observation names it: its id, and what its convention said of it. */
export interface DeviceRef {
  id: DeviceId;
  group?: string | null;
  convention?: string | null;
}

export type Selection = "yes" | "no" | "unknown";

/**
 * Whether `rule` selects `device`, from what one observation shows. An observation that does not
 * show a part the rule selects on gives "unknown" for it: a liveness change or a command's
 * outcome has no topic, a command outcome may not know the group. The device is then in the
 * rule's scope only if an earlier observation put it there (the evaluator keeps a state for it).
 */
export function selects(rule: AlertRule, device: DeviceRef, topic?: string | null): Selection {
  if (rule.devices && !rule.devices.includes(device.id)) return "no";
  // No closure here: this runs for every candidate rule of every message.
  const group = part(rule.group, device.group);
  if (group === NO) return "no";
  const convention = part(rule.convention, device.convention);
  if (convention === NO) return "no";
  let unknown = group === UNKNOWN || convention === UNKNOWN;
  if (rule.topic !== undefined) {
    if (topic === undefined || topic === null) unknown = true;
    else if (!topicMatches(rule.topic, topic)) return "no";
  }
  return unknown ? "unknown" : "yes";
}

const YES = 0;
const NO = 1;
const UNKNOWN = 2;

/** One selector part: not asked for, or what the observation shows of it. */
function part(wanted: string | undefined, seen: string | null | undefined): typeof YES | typeof NO | typeof UNKNOWN {
  if (wanted === undefined) return YES;
  if (seen === undefined || seen === null) return UNKNOWN;
  return seen === wanted ? YES : NO;
}

/** A rule's selector in words, for summaries: "devices arm-01, arm-02 · group lab · topic fleet/+/+/telemetry". */
export function describeSelector(rule: AlertRule): string {
  const parts: string[] = [];
  if (rule.devices) parts.push(`device${rule.devices.length > 1 ? "s" : ""} ${rule.devices.slice(0, 5).join(", ")}${rule.devices.length > 5 ? ` and ${rule.devices.length - 5} more` : ""}`);
  if (rule.group !== undefined) parts.push(`group ${rule.group}`);
  if (rule.convention !== undefined) parts.push(`convention ${rule.convention}`);
  if (rule.topic !== undefined) parts.push(`topic ${rule.topic}`);
  return parts.length ? parts.join(" · ") : "every device";
}
