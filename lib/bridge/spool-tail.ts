/**
 * The newest spooled messages, kept in memory as well as on disk, so the drainer does not read
 * back what was written a moment ago. A sliding window: it holds every spooled row with an id
 * above `after`, at most `limit` of them; older ones (a backlog the store has not taken yet)
 * are read from the file. Relies on row ids only ever growing (the spool's AUTOINCREMENT).
 */
import type { SpooledMessage } from "./spool";

export class SpoolTail {
  private rows: SpooledMessage[] = [];

  /** @param after every spool row with a larger id is in this window (the file's largest id at open). */
  constructor(
    private after: number,
    private readonly limit: number,
  ) {}

  /** Rows just committed, in id order, all newer than any held. */
  append(rows: SpooledMessage[]): void {
    for (const r of rows) this.rows.push(r);
    if (this.rows.length > this.limit) {
      // Slide by half the window at once, not a row at a time.
      const drop = this.rows.length - Math.floor(this.limit / 2);
      this.after = this.rows[drop - 1]!.id;
      this.rows = this.rows.slice(drop);
    }
  }

  /** Up to `limit` rows after `afterId`, or null when some of them are only on disk. */
  take(afterId: number, limit: number): SpooledMessage[] | null {
    if (afterId < this.after) return null;
    let i = 0;
    while (i < this.rows.length && this.rows[i]!.id <= afterId) i++;
    return this.rows.slice(i, i + limit);
  }

  /** The rows up to `id` left the spool. */
  release(id: number): void {
    let i = 0;
    while (i < this.rows.length && this.rows[i]!.id <= id) i++;
    if (i > 0) this.rows = this.rows.slice(i);
    if (id > this.after) this.after = id;
  }
}
