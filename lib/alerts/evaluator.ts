/**
 * Every rule on every device it selects: observations in, transitions out, plus the time of the
 * next tick the shell must give (`nextTickAt`; one timer, never late, sometimes early — a tick
 * with nothing due changes nothing). State is per (rule, device), made by the first observation
 * the rule reads (lib/alerts/condition.ts `creates`), and snapshots to plain JSON.
 *
 * Restore after a restart (`restore`): firing and pending alerts come back as they were. Time
 * the evaluator was down is not counted as a device's silence: every silence clock moves on by
 * the downtime (now − savedAt), so a device that spoke just before the stop gets its whole
 * no-data N after the start (no storm of no-data alerts for every device at once), while one already silent for 4 of
 * its 5 minutes fires a minute after. Rules that read observed data (OBSERVED_KINDS) complete no
 * duration — pending to firing, keep-firing-for to resolved — until a fresh observation comes: a
 * value from before the stop alone never fires or resolves anything. Pure; no clock, no I/O.
 */
import { z } from "zod";
import type { DeviceId } from "../devices/model";
import { absorb, conditionDeadline, creates, OBSERVED_KINDS, verdict } from "./condition";
import { advance, close, machineDeadline, type Timing } from "./machine";
import type { Observation } from "./observation";
import { fieldOf, pendingMsOf, type AlertRule } from "./rule";
import { RuleIndex } from "./rule-index";
import { selects } from "./selector";
import { RECENT_SEQS, readSeq, type SeqStep, type SeqTrack } from "./seq";
import { isOpen, newState, parseState, type AlertState, type Liveness, type Transition } from "./state";

/** States kept at most (rules × devices they selected); past it new ones are refused and counted. */
export const MAX_ALERT_STATES = 200_000;
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  savedAt: number;
  states: AlertState[];
  /** Loss rules' counters: [device + "\u0000" + stream, track]. */
  seq: [string, SeqTrack][];
}

const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  savedAt: z.number().finite(),
  states: z.array(z.unknown()),
  seq: z.array(z.tuple([z.string(), z.object({ high: z.number(), start: z.number(), recent: z.array(z.number()).max(RECENT_SEQS) })])),
});

const BAND_KINDS: ReadonlySet<AlertRule["kind"]> = new Set(["threshold", "rate", "loss"]);

const timingOf = (rule: AlertRule): Timing => ({ pendingMs: pendingMsOf(rule), keepFiringForMs: rule.keepFiringForMs });

export class AlertEvaluator {
  private index: RuleIndex;
  private readonly byDevice = new Map<DeviceId, Map<string, AlertState>>();
  private readonly seqTracks = new Map<string, SeqTrack>();
  /** Each device's latest liveness, so a state made later (a new rule, a first value) knows it. */
  private readonly liveness = new Map<DeviceId, Liveness>();
  private readonly dirty = new Set<AlertState>();
  private next = Infinity;
  private count = 0;
  /** New states refused at MAX_ALERT_STATES. */
  refused = 0;

  constructor(rules: readonly AlertRule[] = [], private readonly maxStates = MAX_ALERT_STATES) {
    this.index = new RuleIndex(rules);
  }

  /** Replaces the rules. A deleted rule's alerts end ("rule deleted"); so do those of a rule whose kind or field changed, or that no longer selects the device. */
  setRules(rules: readonly AlertRule[], now: number): Transition[] {
    const old = this.index.byId;
    this.index = new RuleIndex(rules);
    const out: Transition[] = [];
    for (const [device, states] of this.byDevice) {
      for (const [id, s] of states) {
        const rule = this.index.byId.get(id);
        const before = old.get(id);
        let why: string | null = null;
        if (!rule) why = "rule deleted";
        else if (before && (before.kind !== rule.kind || fieldOf(before) !== fieldOf(rule))) why = "rule changed what it reads";
        else if (selects(rule, { id: device, group: s.group, convention: s.convention }) === "no") why = "rule no longer selects the device";
        if (why === null) continue;
        const t = close(s, now, why);
        if (t) out.push(t);
        this.drop(device, id, s);
      }
    }
    this.recomputeNext();
    return out;
  }

  observe(obs: Observation): Transition[] {
    const step = this.seqStep(obs);
    if (obs.type === "liveness") this.liveness.set(obs.device.id, { status: obs.status, reason: obs.reason, since: Math.min(obs.since ?? obs.t, obs.t) });
    const out: Transition[] = [];
    const topic = obs.type === "message" || obs.type === "flow" ? obs.topic : undefined;
    // A loop, not a callback per rule: this runs for every candidate rule of every message.
    let states = this.byDevice.get(obs.device.id);
    for (const rule of this.index.candidates(obs, states?.keys() ?? [])) {
      const selection = selects(rule, obs.device, topic);
      if (selection === "no") continue;
      let s = states?.get(rule.id);
      if (!s) {
        if (selection !== "yes" || !creates(rule, obs)) continue;
        const made = this.create(rule, obs);
        if (!made) continue;
        s = made;
        states = this.byDevice.get(obs.device.id);
      }
      if (absorb(rule, s, obs, step)) s.awaitingData = false;
      // At rest (normal or resolved) with its band condition not holding, a band rule's verdict
      // is "ok" or "no data", and neither moves a state at rest (machine.ts): the verdict, whose
      // reason text costs more than the rest of an evaluation, is not made. Most states of a
      // fleet are here, on every message. Nor is a deadline due from it (machineDeadline and
      // conditionDeadline are null at rest).
      if (!s.active && (s.status === "normal" || s.status === "resolved") && BAND_KINDS.has(rule.kind)) {
        this.dirty.add(s);
        continue;
      }
      const t = advance(s, verdict(rule, s, obs.t), timingOf(rule), obs.t);
      if (t) out.push(t);
      this.touch(rule, s);
    }
    return out;
  }

  /** Re-evaluates the states whose time has come. */
  tick(now: number): Transition[] {
    const out: Transition[] = [];
    this.next = Infinity;
    for (const states of this.byDevice.values()) {
      for (const s of states.values()) {
        const rule = this.index.byId.get(s.rule)!;
        const due = this.deadline(rule, s);
        if (due !== null && due <= now) {
          const t = advance(s, verdict(rule, s, now), timingOf(rule), now);
          if (t) out.push(t);
          this.dirty.add(s);
        }
        const after = this.deadline(rule, s);
        if (after !== null && after < this.next) this.next = after;
      }
    }
    return out;
  }

  nextTickAt(): number | null {
    return this.next === Infinity ? null : this.next;
  }

  ack(rule: string, device: DeviceId, by: string, comment: string, now: number): { ok: true; state: AlertState } | { ok: false; reason: string } {
    const s = this.state(rule, device);
    if (!s) return { ok: false, reason: `no alert of rule ${rule} on device ${device}` };
    if (!isOpen(s.status)) return { ok: false, reason: `the alert is ${s.status}: only a pending or firing alert is acknowledged` };
    s.ack = { by, at: now, comment };
    this.dirty.add(s);
    return { ok: true, state: s };
  }

  state(rule: string, device: DeviceId): AlertState | undefined {
    return this.byDevice.get(device)?.get(rule);
  }

  states(): AlertState[] {
    return [...this.byDevice.values()].flatMap((m) => [...m.values()]);
  }

  /** States changed since the last call, for the shell to write (each is live: copy or write before the next observe). */
  takeDirty(): AlertState[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  snapshot(now: number): Snapshot {
    return structuredClone({ version: SNAPSHOT_VERSION, savedAt: now, states: this.states(), seq: [...this.seqTracks] });
  }

  /**
   * Takes a stored snapshot (its parsed JSON) back; see the file's comment. States that do not
   * parse are refused with their reason; those of rules deleted meanwhile end with a transition.
   */
  restore(json: unknown, now: number): { transitions: Transition[]; refused: string[] } {
    const refused: string[] = [];
    const transitions: Transition[] = [];
    const envelope = snapshotSchema.safeParse(json);
    if (!envelope.success) return { transitions, refused: [`not a version ${SNAPSHOT_VERSION} alert snapshot: ${envelope.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`] };
    const snapshot = envelope.data;
    const downtime = Math.max(0, now - snapshot.savedAt);
    for (const raw of snapshot.states) {
      const parsed = parseState(raw);
      if (!parsed.ok) {
        refused.push(parsed.reason);
        continue;
      }
      const s = parsed.state;
      const rule = this.index.byId.get(s.rule);
      if (!rule) {
        const t = close(s, now, "rule deleted while Fleetscope was stopped");
        if (t) transitions.push(t);
        continue;
      }
      if (downtime > 0) {
        s.quietSince = Math.min(now, s.quietSince + downtime);
        if (OBSERVED_KINDS.has(rule.kind)) s.awaitingData = true;
      }
      this.put(s);
      if (s.liveness) this.liveness.set(s.device, s.liveness);
    }
    for (const [key, track] of snapshot.seq) this.seqTracks.set(key, track);
    this.recomputeNext();
    return { transitions, refused };
  }

  private seqStep(obs: Observation): SeqStep | undefined {
    if (!this.index.hasLoss || obs.type !== "message" || !obs.seq) return undefined;
    const key = `${obs.device.id}\u0000${obs.seq.stream ?? obs.topic}`;
    const r = readSeq(this.seqTracks.get(key), obs.seq);
    this.seqTracks.set(key, r.track);
    return r.step;
  }

  private create(rule: AlertRule, obs: Observation): AlertState | null {
    if (this.count >= this.maxStates) {
      this.refused++;
      return null;
    }
    const s = newState(rule.id, obs.device.id, obs.t, obs.device.group ?? null, obs.device.convention ?? null);
    s.liveness = this.liveness.get(obs.device.id) ?? null;
    this.put(s);
    return s;
  }

  private put(s: AlertState) {
    let states = this.byDevice.get(s.device);
    if (!states) this.byDevice.set(s.device, (states = new Map()));
    if (!states.has(s.rule)) this.count++;
    states.set(s.rule, s);
  }

  private drop(device: DeviceId, rule: string, s: AlertState) {
    const states = this.byDevice.get(device)!;
    states.delete(rule);
    this.count--;
    if (states.size === 0) this.byDevice.delete(device);
    this.dirty.delete(s);
  }

  private touch(rule: AlertRule, s: AlertState) {
    this.dirty.add(s);
    const d = this.deadline(rule, s);
    if (d !== null && d < this.next) this.next = d;
  }

  private deadline(rule: AlertRule, s: AlertState): number | null {
    const a = machineDeadline(s, timingOf(rule));
    const b = conditionDeadline(rule, s);
    return a === null ? b : b === null ? a : Math.min(a, b);
  }

  private recomputeNext() {
    this.next = Infinity;
    for (const s of this.states()) {
      const d = this.deadline(this.index.byId.get(s.rule)!, s);
      if (d !== null && d < this.next) this.next = d;
    }
  }
}
