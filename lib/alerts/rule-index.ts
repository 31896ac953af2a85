/**
 * Which rules an observation may concern, found without asking every rule: the bridge offers
 * each message to the evaluator, and 1,000 rules at 10,000 messages a second leave no room for
 * a loop over all of them per message. Rules are filed by what they read (a field, any message,
 * liveness, flows, commands), then by their most selective selector part (device list, group,
 * convention); the evaluator still asks `selects` of each candidate. Pure.
 */
import type { Observation } from "./observation";
import { fieldOf, type AlertRule } from "./rule";
import type { DeviceRef } from "./selector";

/** Rules filed by the selector part that rules most devices out. */
class Buckets {
  private readonly byDevice = new Map<string, AlertRule[]>();
  private readonly byGroup = new Map<string, AlertRule[]>();
  private readonly byConvention = new Map<string, AlertRule[]>();
  private readonly rest: AlertRule[] = [];

  add(rule: AlertRule) {
    if (rule.devices) for (const d of new Set(rule.devices)) push(this.byDevice, d, rule);
    else if (rule.group !== undefined) push(this.byGroup, rule.group, rule);
    else if (rule.convention !== undefined) push(this.byConvention, rule.convention, rule);
    else this.rest.push(rule);
  }

  /** Adds the rules that may select `device`; an observation that does not say its group or convention gets all of those. */
  collect(device: DeviceRef, out: AlertRule[]) {
    for (const r of this.byDevice.get(device.id) ?? []) out.push(r);
    collectBy(this.byGroup, device.group, out);
    collectBy(this.byConvention, device.convention, out);
    for (const r of this.rest) out.push(r);
  }
}

function collectBy(map: Map<string, AlertRule[]>, key: string | null | undefined, out: AlertRule[]) {
  if (key !== undefined && key !== null) for (const r of map.get(key) ?? []) out.push(r);
  else for (const rules of map.values()) for (const r of rules) out.push(r);
}

export class RuleIndex {
  readonly byId: ReadonlyMap<string, AlertRule>;
  /** Whether any rule reads `seq` (only then are counters kept). */
  readonly hasLoss: boolean;
  private readonly byField = new Map<string, Buckets>();
  /** Rules that read a message whatever its fields are. */
  private readonly anyMessage = new Buckets();
  private readonly byType = new Map<Exclude<Observation["type"], "message">, Buckets>();

  constructor(rules: readonly AlertRule[]) {
    this.byId = new Map(rules.map((r) => [r.id, r]));
    const file = <K>(map: Map<K, Buckets>, key: K, rule: AlertRule) => {
      let b = map.get(key);
      if (!b) map.set(key, (b = new Buckets()));
      b.add(rule);
    };
    for (const rule of rules) {
      const field = fieldOf(rule);
      if (field !== null) file(this.byField, field, rule);
      else if (rule.kind === "no_data" || rule.kind === "loss" || (rule.kind === "offline" && rule.topic !== undefined)) this.anyMessage.add(rule);
      if (rule.kind === "offline" || (rule.kind === "no_data" && field === null)) file(this.byType, "liveness", rule);
      if (rule.kind === "qos_stuck") file(this.byType, "flow", rule);
      if (rule.kind === "command_failed") file(this.byType, "command", rule);
    }
    this.hasLoss = rules.some((r) => r.kind === "loss");
  }

  /**
   * The rules to offer `obs` to. A liveness change also goes to every rule that already watches
   * the device (`watching`: it is no data for value rules), each once.
   */
  candidates(obs: Observation, watching: Iterable<string>): AlertRule[] {
    const out: AlertRule[] = [];
    if (obs.type === "message") {
      for (const field in obs.values ?? {}) this.byField.get(field)?.collect(obs.device, out);
      this.anyMessage.collect(obs.device, out);
      return out;
    }
    if (obs.type !== "liveness") {
      this.byType.get(obs.type)?.collect(obs.device, out);
      return out;
    }
    const seen = new Set<string>();
    for (const id of watching) {
      const rule = this.byId.get(id);
      if (rule) (seen.add(id), out.push(rule));
    }
    const starters: AlertRule[] = [];
    this.byType.get("liveness")?.collect(obs.device, starters);
    for (const rule of starters) if (!seen.has(rule.id)) (seen.add(rule.id), out.push(rule));
    return out;
  }
}

function push<K>(map: Map<K, AlertRule[]>, key: K, rule: AlertRule) {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}
