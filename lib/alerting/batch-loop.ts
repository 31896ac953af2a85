/**
 * When the alert service writes (lib/alerting/service.ts): one batch at a time, gathered for
 * `flushMs` after the first change so the ingest path writes nothing per message, and a failed
 * batch tried again after a backoff (RETRY_FIRST_MS doubling to RETRY_MAX_MS) while the loop is
 * running. What a batch holds is the service's: `write` takes it and keeps it on failure.
 */

/** A failed batch is tried again after this, doubling up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 30_000;

export interface BatchLoopOptions {
  write: () => Promise<void>;
  flushMs: number;
  /** Whether a failed batch is tried again (the service still evaluates). */
  retrying: () => boolean;
  onError: (err: unknown) => void;
  /** After every batch, written or not. */
  after: () => void;
}

export class BatchLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private retryMs = RETRY_FIRST_MS;

  constructor(private readonly opts: BatchLoopOptions) {}

  /** A batch is waiting to start or being written. */
  get busy(): boolean {
    return this.timer !== null || this.running !== null;
  }

  /** Writes within flushMs. */
  soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.now();
    }, this.opts.flushMs);
  }

  /** Writes now, after the batch being written if one is. Resolves once a batch begun after the call has been tried. */
  now(): Promise<void> {
    this.cancelTimer();
    if (this.running) {
      return (this.queued ??= this.running.then(() => {
        this.queued = null;
        return this.now();
      }));
    }
    this.running = this.opts
      .write()
      .then(
        () => {
          this.retryMs = RETRY_FIRST_MS;
        },
        (err: unknown) => {
          this.opts.onError(err);
          if (this.opts.retrying() && !this.timer) {
            this.timer = setTimeout(() => {
              this.timer = null;
              void this.now();
            }, this.retryMs);
            this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
          }
        },
      )
      .finally(() => {
        this.running = null;
        this.opts.after();
      });
    return this.running;
  }

  /** Starts nothing more; resolves once the batch being written is done. */
  async stop(): Promise<void> {
    this.cancelTimer();
    await this.running?.catch(() => undefined);
  }

  private cancelTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
