/**
 * Units and precision of telemetry fields. The unit is guessed from the field's name as the demo
 * fleet and common devices spell it (`temp` → °C, `current` → A, `joints.3` → °); the number of
 * decimals is the operator's choice per field, else a few significant ones. Pure: display only,
 * exports keep the values as they came.
 */

export interface Unit {
  symbol: string;
  /** Said to screen readers and in tooltips. */
  name: string;
}

/** Decimals an operator may ask for; more is float noise for any sensor here. */
export const MAX_DECIMALS = 6;

/** Rules by the last segment of the field's path (`motor.temp` → `temp`), first match wins. */
const RULES: { test: RegExp; unit: Unit }[] = [
  { test: /^(temp|temperature|.*_temp|temp_.*)$/i, unit: { symbol: "°C", name: "degrees Celsius" } },
  { test: /^(current|amps|.*_current|current_.*)$/i, unit: { symbol: "A", name: "amperes" } },
  { test: /^(voltage|volts|.*_voltage)$/i, unit: { symbol: "V", name: "volts" } },
  { test: /^(humidity|rh)$/i, unit: { symbol: "%", name: "percent relative humidity" } },
  { test: /^(angle|.*_angle|angle_.*)$/i, unit: { symbol: "°", name: "degrees" } },
];
const DEGREES: Unit = { symbol: "°", name: "degrees" };

/** The unit a convention said for the field, else the guess from its name. */
export function unitFor(field: string, said: string | undefined): Unit | null {
  return said ? { symbol: said, name: said } : guessUnit(field);
}

export function guessUnit(field: string): Unit | null {
  const parts = field.split(".");
  const last = parts[parts.length - 1]!;
  // `joints.0`…`joints.5`: the demo arm's joint angles, indexed under `joints` (or `joint`).
  if (parts.length >= 2 && /^\d+$/.test(last) && /^joints?$/i.test(parts[parts.length - 2]!)) return DEGREES;
  return RULES.find((r) => r.test.test(last))?.unit ?? null;
}

/** Numbers as an operator reads them: a few decimals at most, no float noise, no padding zeros. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  return String(Number(v.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3)));
}

/** A value with the chosen decimals (null: automatic) and its unit's symbol, as `41.2 °C`. */
export function formatMeasure(v: number, unit: Unit | null, decimals: number | null): string {
  const n = decimals === null ? formatValue(v) : v.toFixed(decimals);
  // A no-break space: the unit never wraps away from its number, and SVG ticks keep the space.
  return unit ? `${n}\u00a0${unit.symbol}` : n;
}

/** `temp:1,current:3` from the URL; entries that are not a field and 0…MAX_DECIMALS are ignored. */
export function parseDecimals(param: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (param ?? "").split(",")) {
    const at = entry.lastIndexOf(":");
    const field = entry.slice(0, at).trim();
    const text = entry.slice(at + 1).trim();
    if (at <= 0 || !field || !/^\d$/.test(text) || Number(text) > MAX_DECIMALS) continue;
    out[field] = Number(text);
  }
  return out;
}

export function formatDecimals(decimals: Readonly<Record<string, number>>): string | null {
  const entries = Object.entries(decimals).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([f, d]) => `${f}:${d}`).join(",") : null;
}

/** Pixels a y-axis needs for its tick labels: about 7 px a character at the chart's font, bounded. */
export function axisWidth(labels: readonly string[]): number {
  const chars = labels.reduce((n, l) => Math.max(n, l.length), 0);
  return Math.min(160, Math.max(44, Math.ceil(chars * 7 + 14)));
}

/**
 * The labels a y-axis over [lo, hi] may draw, as `format` writes them: the ends, and points
 * between them whose rounding can take more digits than either end (99.75 … 100.8).
 */
export function axisLabels(lo: number, hi: number, format: (v: number) => string): string[] {
  const step = (hi - lo) / 4;
  return [0, 1, 2, 3, 4].map((i) => format(lo + i * step));
}
