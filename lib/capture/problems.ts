import type { CaptureProblem } from "./types";

/** Problems kept per capture: a file that is wrong on every frame must not grow the list without end. */
export const MAX_PROBLEMS = 100;

/** The problems found in one capture, capped, the rest counted so the cut is visible. */
export class ProblemLog {
  readonly list: CaptureProblem[] = [];
  omitted = 0;

  add(offset: number, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ offset, message });
    else this.omitted++;
  }
}
