/**
 * The payloads the topic tree keeps: those of the topics on screen (pinned by the view: the rows
 * in the viewport and its overscan, the expanded and the selected ones) and of the last
 * RECENT_TOPICS topics that spoke, so a quiet broker's tree needs no store round trip. Every other
 * topic keeps only numbers; its last payload is one `/api/messages?topic=…&limit=1` away.
 */
import type { BoundedPayload } from "../payload/bounded";
import type { MessageProperties } from "../mqtt/message-properties";

/** Unpinned topics whose last payloads stay, most recent first out of mind last. */
export const RECENT_TOPICS = 1_000;

export interface Kept {
  last: BoundedPayload;
  lastTs: number;
  /** The MQTT 5 properties `last` came with. */
  lastProps: MessageProperties | null;
  /** The value before `last`, for the diff view. */
  previous: BoundedPayload | null;
  previousTs: number | null;
}

export class KeptPayloads {
  private pinned: ReadonlySet<number> = new Set();
  private readonly held = new Map<number, Kept>();
  /** In the order they last spoke: the first is the next to go. */
  private readonly recent = new Map<number, Kept>();

  constructor(private readonly recentMax = RECENT_TOPICS) {}

  get(id: number): Kept | undefined {
    return this.held.get(id) ?? this.recent.get(id);
  }

  get size(): number {
    return this.held.size + this.recent.size;
  }

  put(id: number, last: BoundedPayload, lastTs: number, lastProps: MessageProperties | null): void {
    const before = this.get(id);
    const kept: Kept = { last, lastTs, lastProps, previous: before?.last ?? null, previousTs: before?.lastTs ?? null };
    if (this.pinned.has(id)) this.held.set(id, kept);
    else this.remember(id, kept);
  }

  /** A payload from the store for a topic that has none here; a live one that came meanwhile wins. */
  restore(id: number, kept: Kept): boolean {
    if (this.get(id)) return false;
    if (this.pinned.has(id)) this.held.set(id, kept);
    else this.remember(id, kept);
    return true;
  }

  /** The topics on screen now: theirs stay whatever else speaks; the ones before join the recent. */
  pin(ids: ReadonlySet<number>): void {
    for (const [id, kept] of this.held) {
      if (ids.has(id)) continue;
      this.held.delete(id);
      this.remember(id, kept);
    }
    for (const id of ids) {
      const kept = this.recent.get(id);
      if (kept === undefined) continue;
      this.recent.delete(id);
      this.held.set(id, kept);
    }
    this.pinned = ids;
  }

  forget(id: number): void {
    this.held.delete(id);
    this.recent.delete(id);
  }

  private remember(id: number, kept: Kept) {
    this.recent.delete(id);
    this.recent.set(id, kept);
    if (this.recent.size > this.recentMax) this.recent.delete(this.recent.keys().next().value!);
  }
}
