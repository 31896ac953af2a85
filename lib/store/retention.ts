import "server-only";
/**
 * Retention: drops data older than the configured number of days, in the background, in small
 * chunks with a turn of the event loop between them, so ingest never waits long behind it.
 */
import { asEpochMs } from "../devices/model";
import type { Store } from "./types";
import { logger } from "../log/logger";

const DAY_MS = 24 * 3_600_000;
/** How often retention runs; the first run is at start. */
export const RETENTION_EVERY_MS = 10 * 60_000;
/** Rows per table per chunk. */
const CHUNK_ROWS = 5000;

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly days: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.days <= 0) return; // 0 keeps everything
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), RETENTION_EVERY_MS);
    this.timer.unref();
  }

  /** Prunes until nothing older than the cutoff is left; resolves with the rows deleted. */
  runOnce(): Promise<number> {
    this.running ??= (async () => {
      const cutoff = asEpochMs(this.now() - this.days * DAY_MS);
      let total = 0;
      try {
        for (;;) {
          if (this.stopped) break;
          const n = await this.store.prune(cutoff, CHUNK_ROWS);
          total += n;
          if (n === 0) break;
          await new Promise((r) => setImmediate(r));
        }
        this.lastError = null;
      } catch (err) {
        // The store may be down; the bridge reports that. Try again next time.
        this.lastError = err instanceof Error ? err.message : String(err);
        logger("store").warn({ error: this.lastError }, "pruning old messages failed; tried again next time");
      }
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
