/**
 * The conventions in force, and an interpreter that holds each one's learned state. Passed in
 * with a default, as Aedes takes its access rules: the bridge, the browser and the server make
 * one each from the same list, so they read every topic alike.
 */
import type { Convention, ConventionId, DeviceFacts, Inbound, Interpretation, Outbound, SeqFact } from "./convention";
import type { DeviceId } from "./model";

/** Messages a convention could not make sense of, counted per convention. */
export interface ConventionCounts {
  id: ConventionId;
  label: string;
  /** Messages it read. */
  messages: number;
  notUnderstood: number;
  /** The last problem it said, for GET /api/conventions. */
  lastProblem: string | null;
}

/** What every convention that claims a message made of it, together. */
export interface Reading {
  /** The first convention's device that owns the message (registry order). */
  device: DeviceId | null;
  facts: DeviceFacts[];
  seq: SeqFact | null;
  publish: Outbound[];
  /** The first problem said, if any. */
  problem: string | null;
  /** Which conventions read it. */
  by: ConventionId[];
}

const NOTHING: Reading = Object.freeze({ device: null, facts: [], seq: null, publish: [], problem: null, by: [] }) as Reading;

/** Topics whose device is remembered (deviceOfTopic); past it the memory starts over. */
export const MAX_TOPICS_REMEMBERED = 100_000;

interface Slot {
  convention: Convention<unknown>;
  state: unknown;
  counts: ConventionCounts;
}

export class Interpreter {
  private slots: Slot[];
  /** The device each topic's last reading named: the trace and the Delivery panel attribute packets by it. */
  private readonly topicDevices = new Map<string, DeviceId>();

  constructor(conventions: readonly Convention<never>[]) {
    this.slots = conventions.map((c) => {
      const convention = c as unknown as Convention<unknown>;
      return { convention, state: convention.initialState(), counts: { id: c.id, label: c.label, messages: 0, notUnderstood: 0, lastProblem: null } };
    });
  }

  /**
   * Changes the conventions in force (a rule saved or deleted): those that stay keep what they
   * learned and their counts; a rule whose text changed starts afresh.
   */
  setConventions(conventions: readonly Convention<never>[]): void {
    const old = new Map(this.slots.map((s) => [s.convention.id, s]));
    this.slots = conventions.map((c) => {
      const convention = c as unknown as Convention<unknown>;
      const kept = old.get(c.id);
      if (kept && kept.convention === convention) return kept;
      return { convention, state: convention.initialState(), counts: kept?.counts ?? { id: c.id, label: c.label, messages: 0, notUnderstood: 0, lastProblem: null } };
    });
  }

  get conventions(): Convention<unknown>[] {
    return this.slots.map((s) => s.convention);
  }

  /** Every convention that claims the topic reads the message, in registry order. */
  read(m: Inbound): Reading {
    let out: Reading | null = null;
    for (const slot of this.slots) {
      if (!slot.convention.claims(m.topic, slot.state)) continue;
      if (slot.convention.onlyUnclaimed && out !== null && out.facts.length > 0) continue;
      const r = slot.convention.interpret(m, slot.state);
      slot.counts.messages++;
      if (r === null) continue;
      out ??= { device: null, facts: [], seq: null, publish: [], problem: null, by: [] };
      out.by.push(slot.convention.id);
      if (r.problem !== undefined) {
        slot.counts.notUnderstood++;
        slot.counts.lastProblem = r.problem;
        out.problem ??= r.problem;
      }
      out.device ??= r.device;
      if (r.seq && !out.seq) out.seq = r.seq;
      for (const f of r.facts) out.facts.push(f);
      if (r.publish) for (const p of r.publish) out.publish.push(p);
    }
    if (out?.device) this.remember(m.topic, out.device);
    return out ?? NOTHING;
  }

  private remember(topic: string, device: DeviceId) {
    if (this.topicDevices.get(topic) === device) return;
    if (this.topicDevices.size >= MAX_TOPICS_REMEMBERED) this.topicDevices.clear();
    this.topicDevices.set(topic, device);
  }

  /**
   * The device a topic belongs to, as the conventions read its last message: without reading a
   * payload again (a packet in the trace), and so only for topics this interpreter has read.
   */
  deviceOfTopic(topic: string): DeviceId | null {
    const known = this.topicDevices.get(topic);
    if (known) return known;
    for (const s of this.slots) {
      const d = s.convention.deviceOfTopic?.(topic, s.state);
      if (d) return d;
    }
    return null;
  }

  /** Just the interpretation of one convention (the command service asks the device's own). */
  slot(id: ConventionId): { convention: Convention<unknown>; state: unknown } | null {
    return this.slots.find((s) => s.convention.id === id) ?? null;
  }

  counts(): ConventionCounts[] {
    return this.slots.map((s) => ({ ...s.counts }));
  }

  /** Every convention's live filters, static and learned, without repeats. */
  filters(): string[] {
    const all = new Set<string>();
    for (const s of this.slots) {
      for (const f of s.convention.filters) all.add(f);
      for (const f of s.convention.learnedFilters?.(s.state) ?? []) all.add(f);
    }
    return [...all];
  }

  /** The learned state a late reader needs (GET /api/conventions/state), by convention. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.slots) if (s.convention.snapshot) out[s.convention.id] = s.convention.snapshot(s.state);
    return out;
  }

  /** Takes snapshots back in; each convention validates its own (they crossed HTTP). */
  restore(snapshots: Record<string, unknown>): void {
    for (const s of this.slots) {
      const snap = Object.hasOwn(snapshots, s.convention.id) ? snapshots[s.convention.id] : undefined;
      if (snap !== undefined && s.convention.restore) s.convention.restore(snap, s.state);
    }
  }
}

export type { Interpretation };
