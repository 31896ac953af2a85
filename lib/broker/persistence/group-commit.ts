import "server-only";
/**
 * Group commit: every operation on the broker's database is queued, and the queue runs as one
 * transaction at the end of this turn of the event loop (setImmediate: after the socket reads that
 * produced the operations), or at once when MAX_BATCH are waiting. An operation's promise settles
 * only after the transaction holding it has committed, so what aedes acknowledges once it has
 * awaited one (a SUBACK, a QoS 2 PUBREC) is on disk, yet the traffic of a whole turn shares one
 * commit. (A QoS 1 PUBACK waits for its message's commit too: ../publish-before-ack.ts.)
 *
 * Reads are queued too: they run in order with the writes before them, so a read sees every write
 * requested before it, committed or not.
 */
import Database from "better-sqlite3";

/** Enough to keep a transaction's work and the latency it adds small; a turn rarely queues more. */
export const MAX_BATCH = 2000;

interface Pending {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** What each operation of a batch answered, by position; `refused` holds the ones that threw. */
interface Answers {
  values: unknown[];
  refused: Map<number, unknown> | null;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly runBatch: (batch: Pending[]) => Answers;

  /**
   * `onRollback`: called after a transaction failed and was undone, so state kept in memory beside
   * the file (written by the operations as they ran) can be read back from it.
   */
  constructor(
    db: Database.Database,
    private readonly onRollback: () => void,
    private readonly maxBatch = MAX_BATCH,
  ) {
    this.runBatch = db.transaction((batch: Pending[]) => {
      const answers: Answers = { values: new Array<unknown>(batch.length), refused: null };
      for (let i = 0; i < batch.length; i++) {
        try {
          answers.values[i] = batch[i]!.op();
        } catch (error) {
          // SQLite's own failure (disk full, I/O) undoes the whole transaction; anything else is
          // this operation's answer ("no such packet") and the others stand.
          if (error instanceof Database.SqliteError) throw error;
          (answers.refused ??= new Map()).set(i, error);
        }
      }
      return answers;
    });
  }

  /** Runs `op` inside the next transaction; settles once that transaction has committed. */
  run<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the broker's persistence is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushScheduled);
      }
    });
  }

  private readonly flushScheduled = () => {
    this.scheduled = false;
    this.flush();
  };

  /** Commits what is queued now. */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let answers: Answers;
    try {
      answers = this.runBatch(batch);
    } catch (error) {
      this.onRollback();
      for (const p of batch) p.reject(error);
      return;
    }
    const { values, refused } = answers;
    for (let i = 0; i < batch.length; i++) {
      if (refused?.has(i)) batch[i]!.reject(refused.get(i));
      else batch[i]!.resolve(values[i]);
    }
  }

  /** Commits what is queued and refuses anything after. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
