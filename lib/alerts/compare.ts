/**
 * How alert rules compare numbers, so that an integer threshold against double telemetry raises
 * no false alarm (other tools compared 30 and 30.0 as different types). Everything becomes one
 * IEEE double first, so 30, 30.0, "30" and 3e1 are the same value; then values a few units in
 * the last place apart count as equal, so telemetry computed as 0.1 * 3 is not "above" a
 * threshold of 0.3. Booleans, null, NaN,
 * infinities, "", "0x1e" and "30 °C" are not numbers: they are no data, never 0 or 1.
 */
import { numberOf } from "../devices/convention";

/** Relative tolerance: a few units in the last place of a double, never anything a sensor resolves. */
export const EQUAL_WITHIN = 4 * Number.EPSILON;

/** A JSON value as a number, or null when it is not one (the conventions' own reading, lib/devices/convention.ts). */
export const numericValue = (v: unknown): number | null => numberOf(v);

/** -1, 0 or 1 as `a` is below, equal to (within EQUAL_WITHIN) or above `b`. */
export function compareNumbers(a: number, b: number): -1 | 0 | 1 {
  const d = a - b;
  if (Math.abs(d) <= EQUAL_WITHIN * Math.max(1, Math.abs(a), Math.abs(b))) return 0;
  return d < 0 ? -1 : 1;
}

export type Op = "above" | "below";

export interface Band {
  op: Op;
  /** Entering: strictly above (or below) this. */
  value: number;
  /** Leaving: back at or below (or at or above) this; equal to `value` when there is no hysteresis. */
  clear: number;
}

/**
 * A Schmitt trigger: whether the condition holds after `v`, given whether it held before. In the
 * band between `value` and `clear` the previous answer stands, so a value wobbling around the
 * threshold neither fires nor resolves over and over, as alerts without hysteresis do. The band
 * applies to pending as well as firing: one spike starts a `for` that only a value past `clear`
 * cancels — that is what the operator asked for by setting `clear`.
 */
export function schmitt(band: Band, wasActive: boolean, v: number): boolean {
  const sign = band.op === "above" ? 1 : -1;
  if (wasActive) return compareNumbers(v, band.clear) * sign > 0;
  return compareNumbers(v, band.value) * sign > 0;
}

/** The rule's words for what `v` did: "31.5 above 30", "29 above clear 28", "27 at or below clear 28". */
export function describeBand(band: Band, active: boolean, v: number, what: string): string {
  const sign = band.op === "above" ? 1 : -1;
  const notOp = band.op === "above" ? "at or below" : "at or above";
  const beyond = compareNumbers(v, band.value) * sign > 0;
  if (active) return beyond ? `${what} ${fmt(v)} ${band.op} ${fmt(band.value)}` : `${what} ${fmt(v)} ${band.op} clear ${fmt(band.clear)} (hysteresis)`;
  if (beyond) return `${what} ${fmt(v)} ${band.op} ${fmt(band.value)}`;
  if (compareNumbers(v, band.clear) * sign > 0) return `${what} ${fmt(v)} not ${band.op} ${fmt(band.value)}`;
  return band.clear === band.value ? `${what} ${fmt(v)} ${notOp} ${fmt(band.value)}` : `${what} ${fmt(v)} ${notOp} clear ${fmt(band.clear)}`;
}

/** Numbers in reasons: as JSON writes them, at most 6 significant digits for long fractions. */
export function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
