import "server-only";
/**
 * The bridge's drainer: moves what the session received (QoS 1/2 messages from the spool, QoS 0
 * ones held in memory) to the store in large batches, one transaction at a time and in order, and
 * lets the spool forget a message only once the store has committed it. On a store failure it
 * reports the error and retries with backoff, until the bridge stops.
 */
import { EventEmitter } from "node:events";
import { asEpochMs, type EpochMs } from "../devices/model";
import type { AppendResult, Batch, Store } from "../store/types";
import { mergeDeviceUpdates, spoolIdent, type Decoded, type Received, type SampleSkip } from "./decode";
import type { Spool } from "./spool";
import { timeCommit } from "../metrics/observations";

export interface DrainerOptions {
  /** Only its write path: the drainer appends and never reads. */
  store: Pick<Store, "append">;
  /** Where the session commits QoS 1/2 messages before acknowledging them; released from here. */
  spool: Spool;
  /** Reads a spooled message by the conventions as the drain takes it, `ts` being when it was received. */
  decode: (m: Received, ts: EpochMs) => Decoded;
  /** How long messages may wait for their batch. */
  flushIntervalMs: number;
  /** Messages per store transaction at most. */
  maxBatch: number;
  /**
   * The bridge's last error, one slot for its session and its drainer (BridgeStats.lastError):
   * the drainer sets it on a failure and clears it on each commit.
   */
  health: { lastError: string | null };
}

export interface DrainerCounts {
  stored: number;
  /** Redeliveries recognised by their identity and not stored again. */
  duplicates: number;
  /** Telemetry stored without samples, by reason (the raw message is always kept). */
  samplesSkipped: Record<SampleSkip, number>;
}

interface DrainerEvents {
  /** A batch committed to the store: how many messages it held. */
  committed: [count: number];
  storeError: [error: Error];
}

/**
 * A batch taken and decoded, with what to release once the store has committed it. Only the
 * counts outlive the call that hands the rows to the store: a writer thread has its own copy by
 * then, and rows kept here until the commit would all survive into the old generation, the
 * most expensive garbage there is (about a tenth of this thread's time in the ingest bench).
 */
interface PreparedBatch {
  batch: Batch;
  messages: number;
  skipped: SampleSkip[];
  /** Spooled rows in it, the last one's id (all of the spool up to it), and QoS 0 messages. */
  spooled: number;
  lastId: number;
  fromMemory: number;
}

/** A batch handed to the store, and its commit. */
interface SentBatch {
  prep: PreparedBatch;
  committing: Promise<AppendResult>;
}

const EMPTY_BATCH: Batch = { messages: [], devices: [] };

/** Retry delays after a failed store commit double from the first to the last. */
const STORE_RETRY_FIRST_MS = 200;
const STORE_RETRY_MAX_MS = 5000;

export class Drainer extends EventEmitter<DrainerEvents> {
  private readonly spool: Spool;
  /** QoS 0 messages, decoded as they arrived, waiting for the next drain. */
  private memory: Decoded[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The drain running now, if any: one store transaction at a time, and callers share it. */
  private draining: Promise<void> | null = null;
  /** The batch the store is committing (the head of the drain), and the one sent behind it. */
  private head: SentBatch | null = null;
  private behind: SentBatch | null = null;
  private stopped = false;
  private readonly counts: DrainerCounts = { stored: 0, duplicates: 0, samplesSkipped: { too_large: 0, not_json_object: 0, no_numbers: 0 } };

  constructor(private readonly opts: DrainerOptions) {
    super();
    this.spool = opts.spool;
  }

  /** Readies the store and drains what a previous run left in the spool. */
  async start(): Promise<void> {
    // An empty batch readies the store's write path (the SQLite store boots its writer thread),
    // so the first messages do not wait for it. A store down now is reported; the drain retries.
    await this.opts.store.append({ messages: [], devices: [] }).catch((err: unknown) => this.storeFailed(err));
    if (this.spool.size() > 0) void this.flush();
  }

  /** A QoS 0 message, decoded, to go with the next batch. */
  add(message: Decoded): void {
    this.memory.push(message);
    this.schedule();
  }

  /** QoS 0 messages held, waiting for the store. */
  held(): number {
    return this.memory.length;
  }

  /** Received and not yet in the store: QoS 0 held plus the spool's backlog. */
  pending(): number {
    return this.memory.length + this.spool.size();
  }

  stats(): DrainerCounts {
    return { ...this.counts, samplesSkipped: { ...this.counts.samplesSkipped } };
  }

  /** Something new is pending: drains now if a batch is full, else within flushIntervalMs. */
  schedule(): void {
    // While a batch commits the drain goes on to whatever is pending; a full batch goes behind it now.
    if (this.head) return this.sendBehind();
    if (this.pending() >= this.opts.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
  }

  /** Moves everything received so far to the store; on a store error retries until stopped. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Joining the running drain rather than queueing another: during a store outage every
    // message would otherwise add a waiting drain, and memory would grow with the backlog.
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Moves what is pending to the store, retrying no more: stops at the first store error (what is spooled waits for the next start). */
  async finish(): Promise<void> {
    this.stopped = true;
    try {
      while (this.pending() > 0) await this.flush();
    } catch {
      /* reported through storeError */
    }
  }

  /**
   * Takes and decodes the next batch: spooled rows after `afterId`, then QoS 0 messages from
   * index `memoryFrom`. Only reads: nothing is released until the store has committed it.
   */
  private prepare(afterId: number, memoryFrom: number): PreparedBatch {
    const spooled = this.spool.takeAfter(afterId, this.opts.maxBatch);
    const fromMemory = this.memory.slice(memoryFrom, memoryFrom + Math.max(0, this.opts.maxBatch - spooled.length));
    const decoded = spooled.map((s) => {
      const d = this.opts.decode(s, asEpochMs(s.ts));
      // Without a seq the spool row names the message; hashed only then, as it costs a SHA-1.
      if (d.row.ident === null) d.row.ident = spoolIdent(this.spool.instance, s.id);
      return d;
    });
    const all = decoded.concat(fromMemory);
    const devices = mergeDeviceUpdates(all.flatMap((d) => d.devices));
    const lastId = spooled.length > 0 ? spooled[spooled.length - 1]!.id : afterId;
    const skipped = all.flatMap((d) => (d.skipped ? [d.skipped] : []));
    return { batch: { messages: all.map((d) => d.row), devices }, messages: all.length, skipped, spooled: spooled.length, lastId, fromMemory: fromMemory.length };
  }

  /** Hands a prepared batch to the store; from here on only its counts are kept (PreparedBatch). */
  private send(prep: PreparedBatch): SentBatch {
    const committing = timeCommit(this.opts.store.append(prep.batch));
    prep.batch = EMPTY_BATCH;
    // Awaited in its turn; until then its failure must not count as unhandled.
    committing.catch(() => undefined);
    return { prep, committing };
  }

  /**
   * Moves batches to the store until nothing is pending. They commit one at a time, in order;
   * while one commits, the next is sent behind it as soon as a full batch is waiting (sendBehind),
   * so the store goes from one batch to the next without waiting for this thread to take and
   * decode it. The store writes a batch only if the one sent before it committed (Store.append),
   * so the spool is still released strictly in order.
   */
  private async drain(): Promise<void> {
    let retryMs = STORE_RETRY_FIRST_MS;
    while (this.pending() > 0) {
      const cur: SentBatch = this.behind ?? this.send(this.prepare(0, 0));
      this.behind = null;
      this.head = cur;
      this.sendBehind();
      try {
        const result = await cur.committing;
        this.head = null;
        // Committed: now, and only now, the spool may forget them. A crash before this line
        // drains them again, and their identities keep the store from taking them twice.
        const done = cur.prep;
        if (done.spooled > 0) this.spool.release(done.lastId, done.spooled);
        this.memory = this.memory.slice(done.fromMemory);
        this.counts.stored += result.stored;
        this.counts.duplicates += result.duplicates;
        for (const reason of done.skipped) this.counts.samplesSkipped[reason]++;
        this.opts.health.lastError = null;
        retryMs = STORE_RETRY_FIRST_MS;
        this.emit("committed", done.messages);
      } catch (err) {
        this.head = null;
        // The batch sent behind this one fails with it, unwritten: after the retry both are
        // taken afresh. Nothing more is sent behind it meanwhile.
        // (Set by sendBehind while the commit was awaited: TypeScript cannot see that.)
        const behind = this.behind as SentBatch | null;
        await behind?.committing.catch(() => undefined);
        this.behind = null;
        const error = this.storeFailed(err);
        if (this.stopped) throw error;
        await new Promise((r) => setTimeout(r, retryMs));
        retryMs = Math.min(retryMs * 2, STORE_RETRY_MAX_MS);
      }
    }
  }

  /**
   * Sends the next batch behind the one committing, once a full one is waiting: a smaller one,
   * sent now, would go to the store as it is while more arrives; sent later, it holds all of that.
   */
  private sendBehind(): void {
    const cur = this.head;
    if (!cur || this.behind) return;
    const waiting = this.spool.size() - cur.prep.spooled + this.memory.length - cur.prep.fromMemory;
    if (waiting < this.opts.maxBatch) return;
    try {
      this.behind = this.send(this.prepare(cur.prep.lastId, cur.prep.fromMemory));
    } catch (err) {
      // Called on the acknowledgement path, which must not fail for it: the drain takes this
      // batch again once the one committing is done.
      this.opts.health.lastError = `spool: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private storeFailed(err: unknown): Error {
    const error = err instanceof Error ? err : new Error(String(err));
    this.opts.health.lastError = `store: ${error.message}`;
    this.emit("storeError", error);
    return error;
  }
}
