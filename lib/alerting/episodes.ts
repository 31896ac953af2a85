/**
 * Episodes: one alert of GET /api/alerts is one (rule, device)'s run from its first transition
 * out of normal or resolved to its end. The alert service (lib/alerting/service.ts) keeps each
 * (rule, device)'s latest one here, so a transition knows the episode it belongs to, and writes
 * them with its batches (the store's meta, for a restart). No I/O (new ids draw random bytes).
 */
import { randomUUID } from "node:crypto";
import type { Severity } from "../alerts/rule";
import type { AlertState, AlertStatus, Transition } from "../alerts/state";
import type { AlertRecord } from "../store/alerts";

export const keyOf = (rule: string, device: string) => `${rule}\u0000${device}`;
export const isEnd = (s: AlertStatus) => s === "normal" || s === "resolved";

/** One (rule, device)'s latest episode. */
export interface Episode {
  id: string;
  startedAt: number;
  severity: Severity;
}

export class Episodes {
  private map = new Map<string, Episode>();
  /** Changed since the last snapshot was written. */
  dirty = false;

  get(rule: string, device: string): Episode | undefined {
    return this.map.get(keyOf(rule, device));
  }

  /** The episode `t` belongs to: a new one when it leaves normal or resolved (`fresh`). */
  of(t: Transition, severity: Severity | undefined): { episode: Episode; fresh: boolean } {
    const key = keyOf(t.rule, t.device);
    const old = this.map.get(key);
    if (old && !isEnd(t.from)) return { episode: old, fresh: false };
    const episode = { id: randomUUID(), startedAt: t.at, severity: severity ?? old?.severity ?? "info" };
    this.map.set(key, episode);
    this.dirty = true;
    return { episode, fresh: true };
  }

  /** The episode as stored: its state after `last` (or now, from `s`), and an ack the store has kept. */
  record(id: string, s: AlertState | null, last: Transition | null, now: number, storedAck: string | null = null): AlertRecord {
    const rule = s?.rule ?? last!.rule;
    const device = s?.device ?? last!.device;
    const episode = this.map.get(keyOf(rule, device));
    const status = last?.to ?? s!.status;
    const value = last ? last.value : s!.value;
    return {
      id,
      rule,
      device,
      state: status,
      severity: episode?.severity ?? "info",
      startedAt: episode?.startedAt ?? last?.at ?? now,
      endedAt: isEnd(status) ? (last?.at ?? now) : null,
      lastValue: value === null || value === undefined ? null : JSON.stringify(value),
      // The ack stays on the episode once it ends, for its history (the state's is cleared).
      ack: s?.ack && !isEnd(status) ? JSON.stringify(s.ack) : storedAck,
      updatedAt: now,
    };
  }

  /** From a snapshot; anything else starts empty. */
  restore(json: unknown): void {
    this.map = new Map(Array.isArray(json) ? (json as [string, Episode][]) : []);
  }

  /** The entries of the (rule, device)s that still have a state. */
  snapshot(live: (rule: string, device: string) => boolean): string {
    return JSON.stringify(
      [...this.map].filter(([k]) => {
        const [rule, device] = k.split("\u0000") as [string, string];
        return live(rule, device);
      }),
    );
  }
}
