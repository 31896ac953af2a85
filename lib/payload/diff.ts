/**
 * A line diff of two payloads (the previous and the last value of a topic), for the explorer.
 * Common lines at both ends are trimmed first; the middle is diffed by longest common subsequence
 * while it is small, and shown as replaced wholesale when it is not, so a 64 KiB payload cannot
 * stall the page.
 */

export type DiffLine = { op: "same" | "add" | "del"; text: string };

/** Cells of the LCS table at most (middle lines before × after). */
export const MAX_DIFF_CELLS = 250_000;

export function lineDiff(before: readonly string[], after: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  const head = before.slice(0, start).map((text): DiffLine => ({ op: "same", text }));
  const tail = before.slice(endB).map((text): DiffLine => ({ op: "same", text }));
  const b = before.slice(start, endB);
  const a = after.slice(start, endA);
  return [...head, ...middle(b, a), ...tail];
}

function middle(b: readonly string[], a: readonly string[]): DiffLine[] {
  if (b.length * a.length > MAX_DIFF_CELLS) {
    return [...b.map((text): DiffLine => ({ op: "del", text })), ...a.map((text): DiffLine => ({ op: "add", text }))];
  }
  // lcs[i][j]: longest common subsequence of b[i..] and a[j..].
  const w = a.length + 1;
  const lcs = new Uint32Array((b.length + 1) * w);
  for (let i = b.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      lcs[i * w + j] = b[i] === a[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < b.length && j < a.length) {
    if (b[i] === a[j]) {
      out.push({ op: "same", text: b[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push({ op: "del", text: b[i++]! });
    else out.push({ op: "add", text: a[j++]! });
  }
  while (i < b.length) out.push({ op: "del", text: b[i++]! });
  while (j < a.length) out.push({ op: "add", text: a[j++]! });
  return out;
}
