/** Numbers as an operator reads them: a few decimals at most, no float noise, no padding zeros. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  return String(Number(v.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3)));
}
