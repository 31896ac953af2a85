/**
 * What a rule would have done over past observations, before it is saved: the evaluator
 * (lib/alerts/evaluator.ts) run on them in time order, with its ticks at the times they were
 * due, as the service would have run it live. Answers the transitions (the first
 * MAX_PREVIEW_TRANSITIONS, flagged when there were more) and counts. Pure.
 */
import { AlertEvaluator } from "./evaluator";
import type { Observation } from "./observation";
import type { AlertRule } from "./rule";
import type { AlertStatus, AlertValue } from "./state";

export const MAX_PREVIEW_TRANSITIONS = 500;

export interface PreviewTransition {
  device: string;
  from: AlertStatus;
  to: AlertStatus;
  at: number;
  value: AlertValue;
  reason: string;
}

export interface RulePreview {
  transitions: PreviewTransition[];
  /** More transitions happened than are listed. */
  truncated: boolean;
  counts: {
    transitions: number;
    /** Times an alert began firing. */
    fired: number;
    /** Devices with at least one transition. */
    devices: number;
    /** Where each state stands at `to`: open alerts by status. */
    open: Partial<Record<AlertStatus, number>>;
  };
}

export class PreviewRun {
  private readonly ev: AlertEvaluator;
  private readonly out: PreviewTransition[] = [];
  private total = 0;
  private fired = 0;
  private readonly devices = new Set<string>();

  constructor(rule: AlertRule) {
    this.ev = new AlertEvaluator([rule]);
  }

  /** One observation; they come in time order. */
  observe(obs: Observation): void {
    this.ticksUntil(obs.t);
    this.take(this.ev.observe(obs));
  }

  /** Runs the timers up to `to` and answers what happened. */
  finish(to: number): RulePreview {
    this.ticksUntil(to);
    const open: Partial<Record<AlertStatus, number>> = {};
    for (const s of this.ev.states()) if (s.status !== "normal" && s.status !== "resolved") open[s.status] = (open[s.status] ?? 0) + 1;
    return { transitions: this.out, truncated: this.total > this.out.length, counts: { transitions: this.total, fired: this.fired, devices: this.devices.size, open } };
  }

  private ticksUntil(t: number) {
    for (let at = this.ev.nextTickAt(); at !== null && at <= t; ) {
      this.take(this.ev.tick(at));
      const next = this.ev.nextTickAt();
      // A deadline that did not move would loop: the evaluator is past it.
      at = next !== null && next > at ? next : null;
    }
  }

  private take(ts: readonly { device: string; from: AlertStatus; to: AlertStatus; at: number; value: AlertValue; reason: string }[]) {
    for (const t of ts) {
      this.total++;
      if (t.to === "firing" && t.from !== "firing_no_data") this.fired++;
      this.devices.add(t.device);
      if (this.out.length < MAX_PREVIEW_TRANSITIONS) this.out.push({ device: t.device, from: t.from, to: t.to, at: t.at, value: t.value, reason: t.reason });
    }
  }
}
