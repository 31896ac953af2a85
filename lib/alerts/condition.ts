/**
 * Each rule kind's condition: what an observation changes in a state's data (`absorb`), what the
 * data says at a time (`verdict`, for lib/alerts/machine.ts), and when that could change with no
 * new observation (`conditionDeadline`, for the shell's one timer). Pure; states change in place.
 *
 * Data goes missing for the kinds that read values (threshold, rate, loss) when the device is
 * offline, when it came back online and has sent no value since, or when no value came for the
 * rule's noDataMs: that is "no data", which turns firing into firing_no_data. A value that is not
 * a number (true, "ERR", NaN) is not data. Rate and loss windows end at the newest observation:
 * they are read when data comes, not on a clock, so a 10 Hz device asks for no 10 Hz timer.
 */
import { describeBand, fmt, numericValue, schmitt } from "./compare";
import { formatDuration } from "./duration";
import type { Verdict } from "./machine";
import type { Observation } from "./observation";
import { bandOf, type AlertRule, type BandRule } from "./rule";
import type { SeqStep } from "./seq";
import type { AlertState } from "./state";
import { addEvent, addLoss, countEvents, lossOf, nextEventExpiry, pushRateSample, rateOf } from "./windows";

/** A loss percentage needs this many messages expected in the window: 1 lost of 2 is no 50 % loss. */
export const LOSS_MIN_EXPECTED = 10;

/** Kinds whose verdict comes from observed data: after a restore they wait for a fresh observation. */
export const OBSERVED_KINDS: ReadonlySet<AlertRule["kind"]> = new Set(["threshold", "rate", "loss", "offline"]);

/** Whether `obs` can bring a device into `rule`'s scope: the first observation the rule reads. */
export function creates(rule: AlertRule, obs: Observation): boolean {
  switch (rule.kind) {
    case "threshold":
    case "rate":
      return obs.type === "message" && numericValue(obs.values?.[rule.field]) !== null;
    case "no_data":
      if (rule.field !== undefined) return obs.type === "message" && numericValue(obs.values?.[rule.field]) !== null;
      return obs.type === "message" || (obs.type === "liveness" && obs.status === "online");
    case "offline":
      // With a topic selector only a message shows that the device is the rule's.
      return obs.type === "liveness" || (obs.type === "message" && rule.topic !== undefined);
    case "loss":
      return obs.type === "message" && obs.seq !== undefined;
    case "qos_stuck":
      return obs.type === "flow" && (rule.outcomes as string[]).includes(obs.outcome);
    case "command_failed":
      return obs.type === "command" && (rule.outcomes as string[]).includes(obs.outcome) && (rule.command === undefined || rule.command === obs.name);
  }
}

/** Takes `obs` into the state; true when it was data for the rule (it then ends a restore's wait). */
export function absorb(rule: AlertRule, s: AlertState, obs: Observation, seqStep?: SeqStep): boolean {
  if (obs.device.group != null) s.group = obs.device.group;
  if (obs.device.convention != null) s.convention = obs.device.convention;
  if (obs.type === "liveness") return absorbLiveness(rule, s, obs);
  // A message only puts a device in an offline rule's scope; it says nothing of its liveness.
  if (!creates(rule, obs) || rule.kind === "offline") return false;
  // Out of order: the newer value stands (count rules keep their events in time order instead).
  if ((rule.kind === "threshold" || rule.kind === "rate") && s.lastDataAt !== null && obs.t < s.lastDataAt) return false;
  switch (rule.kind) {
    case "threshold": {
      const v = numericValue(obs.type === "message" ? obs.values?.[rule.field] : undefined)!;
      s.active = schmitt(bandOf(rule), s.active, v);
      s.value = v;
      break;
    }
    case "rate": {
      const v = numericValue(obs.type === "message" ? obs.values?.[rule.field] : undefined)!;
      pushRateSample(s.samples, obs.t, v, rule.windowMs);
      const r = rateOf(s.samples);
      if (r !== null) {
        s.active = schmitt(bandOf(rule), s.active, r);
        s.value = r;
      }
      break;
    }
    case "loss": {
      if (!seqStep) return false;
      addLoss(s.buckets, obs.t, seqStep.received, seqStep.lost, rule.windowMs);
      const f = lossOf(s.buckets, obs.t, rule.windowMs);
      if (f.percent !== null && f.received + f.lost >= LOSS_MIN_EXPECTED) {
        s.active = schmitt(bandOf(rule), s.active, f.percent);
        s.value = f.percent;
      }
      break;
    }
    case "qos_stuck":
    case "command_failed":
      addEvent(s.events, obs.t, rule.value);
      break;
    case "no_data":
      break;
  }
  s.lastDataAt = Math.max(s.lastDataAt ?? obs.t, obs.t);
  s.quietSince = Math.max(s.quietSince, obs.t);
  s.reconnectedAt = null;
  return true;
}

function absorbLiveness(rule: AlertRule, s: AlertState, obs: Extract<Observation, { type: "liveness" }>): boolean {
  const wasOffline = s.liveness?.status === "offline";
  s.liveness = { status: obs.status, reason: obs.reason, since: Math.min(obs.since ?? obs.t, obs.t) };
  if (wasOffline && obs.status !== "offline") {
    // Back (or no longer known offline): silence counts afresh from now, and what was read
    // before the outage is no data now — only a new value can resolve.
    s.quietSince = Math.max(s.quietSince, obs.t);
    if (rule.kind !== "no_data" && rule.kind !== "offline") s.reconnectedAt = obs.t;
  }
  // Liveness is the offline rule's data; to the others it only says whether data can come.
  return rule.kind === "offline";
}

/** What the state's data says at `now`. */
export function verdict(rule: AlertRule, s: AlertState, now: number): Verdict {
  switch (rule.kind) {
    case "threshold":
    case "rate":
    case "loss":
      return bandVerdict(rule, s, now);
    case "no_data": {
      const what = rule.field ?? "message";
      if (s.liveness?.status === "offline") {
        // The offline rule says this, with its reason; a silence that was firing stays so.
        return s.active ? { kind: "breach", value: null, reason: `no ${what} for ${formatDuration(rule.forMs)}; device offline: ${s.liveness.reason}` } : { kind: "ok", value: null, reason: `device offline (${s.liveness.reason}): not counted as silence` };
      }
      s.active = now - s.quietSince >= rule.forMs;
      if (s.active) return { kind: "breach", value: null, reason: `no ${what} for ${formatDuration(rule.forMs)}`, since: s.quietSince + rule.forMs };
      return { kind: "ok", value: null, reason: s.lastDataAt === null ? `watching for ${what}` : `${what} received` };
    }
    case "offline": {
      const l = s.liveness;
      s.active = l?.status === "offline";
      if (l && s.active) return { kind: "breach", value: l.reason, reason: `device offline: ${l.reason}`, since: l.since };
      return { kind: "ok", value: l?.reason ?? null, reason: l ? `device ${l.status}: ${l.reason}` : "device status unknown" };
    }
    case "qos_stuck":
    case "command_failed": {
      const n = countEvents(s.events, now, rule.windowMs);
      s.active = n >= rule.value;
      const what = rule.kind === "qos_stuck" ? `QoS flows ${rule.outcomes.join(" or ")}` : `commands ${rule.command ? `${rule.command} ` : ""}${rule.outcomes.join(" or ").replace("_", " ")}`;
      const reason = `${n} ${what} in ${formatDuration(rule.windowMs)}${s.active ? "" : `, fewer than ${rule.value}`}`;
      return { kind: s.active ? "breach" : "ok", value: n, reason };
    }
  }
}

function bandVerdict(rule: BandRule, s: AlertState, now: number): Verdict {
  const what = rule.kind === "loss" ? "loss %" : rule.kind === "rate" ? `${rule.field} change per second` : rule.field;
  const data = rule.kind === "loss" ? "message with seq" : rule.field;
  if (s.liveness?.status === "offline") return { kind: "no_data", value: s.value, reason: `device offline: ${s.liveness.reason}` };
  if (s.reconnectedAt !== null) return { kind: "no_data", value: s.value, reason: `no ${data} since the device came back online` };
  if (s.lastDataAt === null || typeof s.value !== "number") return { kind: "no_data", value: null, reason: `no ${data} yet` };
  if (now - s.quietSince >= rule.noDataMs) return { kind: "no_data", value: s.value, reason: `no ${data} for ${formatDuration(rule.noDataMs)}` };
  const reason = describeBand(bandOf(rule), s.active, s.value, what);
  return { kind: s.active ? "breach" : "ok", value: s.value, reason: rule.kind === "loss" ? `${reason} over ${formatDuration(rule.windowMs)}` : reason };
}

/** When the verdict may change with no observation (a silence grows long enough, an event leaves its window). */
export function conditionDeadline(rule: AlertRule, s: AlertState): number | null {
  const offline = s.liveness?.status === "offline";
  switch (rule.kind) {
    case "threshold":
    case "rate":
    case "loss":
      // Staleness matters only to an open alert: normal stays normal without data.
      if (s.status !== "pending" && s.status !== "firing") return null;
      return offline || s.reconnectedAt !== null || s.lastDataAt === null ? null : s.quietSince + rule.noDataMs;
    case "no_data":
      return offline || s.active ? null : s.quietSince + rule.forMs;
    case "offline":
      return null;
    case "qos_stuck":
    case "command_failed":
      return s.active ? nextEventExpiry(s.events, rule.windowMs) : null;
  }
}

/** The value's words in a summary: "31.5", "12.5 %", "offline: LWT offline". */
export function describeValue(rule: AlertRule, s: AlertState): string {
  if (typeof s.value !== "number") return s.value ?? "";
  return rule.kind === "loss" ? `${fmt(s.value)} %` : fmt(s.value);
}
