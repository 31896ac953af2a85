/**
 * Invariants over random observation sequences: whatever devices send and whenever ticks come,
 * transitions chain, say why, never come from a tick before the tick asked for, never resolve
 * an alert while its data is missing, a snapshot restored with no downtime changes nothing, and
 * one restored after a downtime fires nothing at the start that was not due before the stop.
 */
import { describe, expect, it } from "vitest";
import { asDeviceId } from "../devices/model";
import { AlertEvaluator } from "./evaluator";
import type { Observation } from "./observation";
import { alertRuleSchema } from "./rule";
import type { AlertState, AlertStatus, Transition } from "./state";

/** mulberry32: a seeded generator, so a failure names the seed that reproduces it. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULES = [
  { id: "hot", kind: "threshold", field: "temp", op: "above", value: 30, clear: 28, forMs: 3000, keepFiringForMs: 2000, noDataMs: 20_000 },
  { id: "hot0", kind: "threshold", field: "temp", op: "above", value: 30 },
  { id: "cold", kind: "threshold", field: "temp", op: "below", value: 10, forMs: "1s" },
  { id: "quiet", kind: "no_data", field: "temp", forMs: "15s" },
  { id: "gone", kind: "offline", forMs: "5s", keepFiringForMs: "3s" },
  { id: "rise", kind: "rate", field: "temp", op: "above", value: 2, windowMs: "10s", noDataMs: "20s" },
  { id: "lossy", kind: "loss", value: 10, clear: 5, windowMs: "30s" },
  { id: "stuck", kind: "qos_stuck", value: 2, windowMs: "20s" },
].map((r) => alertRuleSchema.parse({ name: r.id, severity: "major", ...r }));
const VALUE_RULES = new Set(["hot", "hot0", "cold", "rise"]);
const DEVICES = [0, 1, 2].map((n) => ({ id: asDeviceId(`arm-0${n}`), group: "lab", convention: "demo" }));
const TEMPS: unknown[] = [29.9, 30, 30.0, "30", 3e1, 31, 28, 27.5, 9, 10, 12, 45, true, "ERR", null, Number.NaN];

type Step = { kind: "observe"; obs: Observation } | { kind: "tick"; t: number } | { kind: "restore"; t: number };

function sequence(seed: number, length: number): Step[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const seqs = new Map<string, number>();
  let t = 0;
  const steps: Step[] = [];
  for (let i = 0; i < length; i++) {
    t += Math.floor(r() * (r() < 0.1 ? 30_000 : 1500));
    const device = pick(DEVICES);
    const roll = r();
    if (roll < 0.55) {
      const seq = (seqs.get(device.id) ?? 0) + (r() < 0.15 ? 2 + Math.floor(r() * 3) : r() < 0.05 ? 0 : 1);
      seqs.set(device.id, r() < 0.02 ? 0 : seq);
      const values: Record<string, unknown> = r() < 0.8 ? { temp: pick(TEMPS) } : { current: r() };
      steps.push({ kind: "observe", obs: { type: "message", device, t, topic: `fleet/lab/${device.id}/telemetry`, values, seq: { value: seq } } });
    } else if (roll < 0.65) {
      const status = pick(["online", "offline", "offline", "unknown"] as const);
      steps.push({ kind: "observe", obs: { type: "liveness", device, t, status, reason: `said ${status}`, since: t - Math.floor(r() * 10_000) } });
    } else if (roll < 0.7) steps.push({ kind: "observe", obs: { type: "flow", device, t, outcome: pick(["stuck", "retransmitted"] as const) } });
    else if (roll < 0.97) steps.push({ kind: "tick", t });
    else steps.push({ kind: "restore", t });
  }
  return steps;
}

describe("alert evaluation over random observation sequences", () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`keeps its invariants (seed ${seed})`, () => {
      const plain = new AlertEvaluator(RULES);
      let twin = new AlertEvaluator(RULES);
      const status = new Map<string, AlertStatus>();
      const offline = new Set<string>();
      const check = (ts: Transition[], at: number, step: Step) => {
        for (const tr of ts) {
          const key = `${tr.rule}/${tr.device}`;
          expect(tr.reason.length, key).toBeGreaterThan(0);
          expect(tr.from, key).not.toBe(tr.to);
          expect(tr.at, key).toBe(at);
          expect(tr.from, key).toBe(status.get(key) ?? "normal");
          status.set(key, tr.to);
          if (VALUE_RULES.has(tr.rule) && tr.to === "resolved") {
            // Never resolved while the data is missing: only a value that shows the condition gone does it.
            expect(offline.has(tr.device), `${key} resolved while offline`).toBe(false);
            // Without a value, only keep-firing-for running out (on data that showed the condition gone) resolves.
            const byValue = step.kind === "observe" && step.obs.type === "message";
            if (!byValue) expect(tr.from, `${key} resolved with no value by a ${step.kind}`).toBe("firing");
          }
          if (step.kind === "tick") expect(tr.from === "firing_no_data" && VALUE_RULES.has(tr.rule), `${key} left firing_no_data on a tick`).toBe(false);
        }
      };
      for (const step of sequence(seed, 400)) {
        if (step.kind === "restore") {
          const json = JSON.stringify(twin.snapshot(step.t));
          const next = new AlertEvaluator(RULES);
          expect(next.restore(JSON.parse(json), step.t)).toEqual({ transitions: [], refused: [] });
          twin = next;
          // After a real downtime, starting fires nothing but what was already due before the stop:
          // no NoData storm, no `for` completed on old data (count windows may run out).
          const downtime = 60_000 + (step.t % 7) * 600_000;
          const late = new AlertEvaluator(RULES);
          late.restore(JSON.parse(json), step.t + downtime);
          const saved = (JSON.parse(json) as { states: AlertState[] }).states;
          for (const tr of late.tick(step.t + downtime)) {
            if (tr.rule === "stuck") continue;
            const before = saved.find((x) => x.rule === tr.rule && x.device === tr.device)!;
            const rule = RULES.find((r) => r.id === tr.rule)!;
            const silence = rule.kind === "no_data" ? rule.forMs : "noDataMs" in rule ? rule.noDataMs : Infinity;
            expect(before.quietSince + silence, `${tr.rule}/${tr.device} moved at the start though its silence was not due before the stop`).toBeLessThanOrEqual(step.t);
            expect(tr.to, `${tr.rule}/${tr.device}`).toBe(rule.kind === "no_data" ? "firing" : tr.from === "pending" ? "normal" : "firing_no_data");
          }
          continue;
        }
        if (step.kind === "tick") {
          const asked = plain.nextTickAt();
          const a = plain.tick(step.t);
          // Never late: a tick before the time asked for has nothing to do.
          if (asked === null || step.t < asked) expect(a).toEqual([]);
          check(a, step.t, step);
          expect(twin.tick(step.t)).toEqual(a);
          continue;
        }
        const { obs } = step;
        if (obs.type === "liveness") (obs.status === "offline" ? offline.add(obs.device.id) : offline.delete(obs.device.id));
        const a = plain.observe(obs);
        check(a, obs.t, step);
        expect(twin.observe(obs)).toEqual(a);
      }
      for (const s of plain.states()) {
        expect(s.status).toBe(status.get(`${s.rule}/${s.device}`) ?? "normal");
        if (s.status === "resolved") expect(s.resolvedAt! >= s.firedAt!).toBe(true);
      }
    });
  }
});
