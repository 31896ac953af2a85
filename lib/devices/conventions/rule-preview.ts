/**
 * What a rule (rules.ts) would make of messages already seen, before it is saved: the preview
 * "Make these devices" shows on `/topics`. Pure.
 */
import type { DeviceFacts, Inbound } from "../convention";
import type { DeviceId, DeviceStatus } from "../model";
import { MAX_PREVIEW_DEVICES, MAX_PREVIEW_MESSAGES, MAX_PREVIEW_PROBLEMS, compileRule, read, type Rule } from "./rules";

export interface PreviewDevice {
  id: DeviceId;
  name: string;
  group: string;
  /** The latest value of each field, in the rule's order. */
  fields: { name: string; value: number; unit?: string }[];
  status: DeviceStatus;
  /** Messages of the preview that belong to it. */
  messages: number;
}

export interface Preview {
  devices: PreviewDevice[];
  /** Messages whose topic the pattern does not match. */
  unmatched: number;
  /** What the rule could not read, each once, with how often past the first ("(×3)"). */
  problems: string[];
}

function previewDevice(devices: Map<DeviceId, PreviewDevice>, facts: DeviceFacts, problems: Map<string, number>): PreviewDevice | null {
  const known = devices.get(facts.id);
  if (known) return known;
  if (devices.size >= MAX_PREVIEW_DEVICES) {
    const note = `more than ${MAX_PREVIEW_DEVICES} devices: only the first are shown`;
    problems.set(note, (problems.get(note) ?? 0) + 1);
    return null;
  }
  const d: PreviewDevice = { id: facts.id, name: facts.name, group: facts.group, fields: [], status: "unknown", messages: 0 };
  devices.set(facts.id, d);
  return d;
}

function applyFacts(d: PreviewDevice, facts: DeviceFacts, order: readonly string[]): void {
  d.messages++;
  if (facts.liveness) d.status = facts.liveness.status;
  const ms = facts.measurements;
  if (!ms) return;
  for (const name of Object.keys(ms)) {
    const m = ms[name]!;
    const entry = { name, value: m.value, ...(m.unit !== undefined ? { unit: m.unit } : {}) };
    const i = d.fields.findIndex((f) => f.name === name);
    if (i >= 0) d.fields[i] = entry;
    else d.fields.push(entry);
  }
  d.fields.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

/**
 * What a rule would make of messages already seen, before it is saved: the devices with their
 * latest values, how many messages it leaves aside, and what it could not read. Pure.
 */
export function previewRule(rule: Rule, messages: readonly Inbound[]): Preview {
  const r = compileRule(rule);
  if (!r.ok) return { devices: [], unmatched: messages.length, problems: r.errors.map((e) => `rule "${rule.name}": ${e}`) };
  const c = r.compiled;
  const order = c.fields.map((f) => f.name);
  const devices = new Map<DeviceId, PreviewDevice>();
  const problems = new Map<string, number>();
  let unmatched = 0;
  for (const msg of messages.slice(0, MAX_PREVIEW_MESSAGES)) {
    const reading = read(c, msg);
    if (!reading) {
      unmatched++;
      continue;
    }
    for (const note of reading.notes) problems.set(note, (problems.get(note) ?? 0) + 1);
    for (const facts of reading.out.facts) {
      const d = previewDevice(devices, facts, problems);
      if (d) applyFacts(d, facts, order);
    }
  }
  const listed = [...problems].slice(0, MAX_PREVIEW_PROBLEMS).map(([text, n]) => (n > 1 ? `${text} (×${n})` : text));
  if (messages.length > MAX_PREVIEW_MESSAGES) listed.push(`only the first ${MAX_PREVIEW_MESSAGES} of ${messages.length} messages were read`);
  return { devices: [...devices.values()], unmatched, problems: listed };
}

