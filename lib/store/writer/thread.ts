import "server-only";
/**
 * A store's write side on a worker thread of its own (worker.ts), so the bridge's thread
 * keeps reading MQTT while a batch is encoded and committed. This side sends requests, matches
 * answers, and starts a new thread after one has died (its pending requests fail; the bridge
 * retries them).
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EpochMs } from "../../devices/model";
import type { PgTarget } from "../postgres/pool";
import type { AppendResult, Batch } from "../types";

/** What the thread writes to: a SQLite file, or a PostgreSQL schema. */
export type WriterTarget = { kind: "sqlite"; path: string } | ({ kind: "postgres" } & PgTarget);

/** Pruning is SQLite's only: PostgreSQL drops whole partitions from the store's own pool. */
type Op =
  /** `after`: the append sent just before this one, if still unanswered (Store.append's order rule). */
  | { op: "append"; batch: Batch; after: number | null }
  | { op: "prune"; before: EpochMs; maxRows: number }
  | { op: "close" };
export type WriterRequest = Op & { id: number };
export type WriterResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

// Built at run time so no bundler follows it: only the bridge's processes start this thread.
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export class WriterThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** The id of the last append sent. */
  private lastAppend = 0;

  constructor(private readonly target: WriterTarget) {}

  private start(): Worker {
    const worker = new Worker(here("./boot.mjs"), { workerData: this.target });
    worker.on("message", (res: WriterResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    });
    // Pending requests fail only at exit, by when Node has delivered every answer the thread
    // posted: failed at its uncaught error, a batch already committed would be sent again.
    let crash: Error | null = null;
    worker.on("error", (err) => {
      crash = err;
    });
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = null;
      const err = crash ?? new Error(`${this.target.kind === "sqlite" ? "SQLite" : "PostgreSQL"} writer thread exited (${code})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    return worker;
  }

  private request<T>(req: Op, worker = (this.worker ??= this.start())): Promise<T> {
    const id = this.nextId++;
    if (req.op === "append") this.lastAppend = id;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id });
    });
  }

  append(batch: Batch): Promise<AppendResult> {
    return this.request({ op: "append", batch, after: this.pending.has(this.lastAppend) ? this.lastAppend : null });
  }

  prune(before: EpochMs, maxRows: number): Promise<number> {
    return this.request({ op: "prune", before, maxRows });
  }

  /** Lets the thread close its connections, then ends it. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    await this.request({ op: "close" }, worker).catch(() => undefined);
    await worker.terminate();
  }
}
