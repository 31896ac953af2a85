/**
 * How a past moment is said on screen: "2026-12-04 03:12:05" in the viewer's time zone, and how
 * long ago it was ("4 min 12 s ago"), so nobody mistakes a past view for the present.
 */

import { toLocalInput } from "../view/time-window";

/** A local date and time to the second, in a fixed shape (the locale's own formats vary by browser). */
export function formatAt(at: number): string {
  return toLocalInput(at).replace("T", " ");
}

/** How long before `now` the moment `at` was, in the two largest units that matter. */
export function agoText(at: number, now: number): string {
  const s = Math.floor((now - at) / 1000);
  if (s < 1) return "just now";
  const units: [number, string][] = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, name] of units) {
    if (rest < size && parts.length === 0) continue;
    parts.push(`${Math.floor(rest / size)} ${name}`);
    rest %= size;
    if (parts.length === 2) break;
  }
  return `${parts.filter((p) => !p.startsWith("0 ")).join(" ")} ago`;
}
