import "server-only";
/**
 * The store side of the SQLite writer thread: sends requests, matches answers, and starts a new
 * thread after one has died (its pending requests fail; the bridge retries them).
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EpochMs } from "../devices/model";
import type { AppendResult, Batch } from "./types";

type Op = { op: "append"; batch: Batch } | { op: "prune"; before: EpochMs; maxRows: number };
export type WriterRequest = Op & { id: number };
export type WriterResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

// Built at run time so no bundler follows it: only the bridge's processes start this thread.
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export class WriterThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly path: string) {}

  private start(): Worker {
    const worker = new Worker(here("./sqlite-writer-boot.mjs"), { workerData: { path: this.path } });
    worker.on("message", (res: WriterResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`SQLite writer thread exited (${code})`)));
    return worker;
  }

  private request<T>(req: Op): Promise<T> {
    this.worker ??= this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ ...req, id });
    });
  }

  append(batch: Batch): Promise<AppendResult> {
    return this.request({ op: "append", batch });
  }

  prune(before: EpochMs, maxRows: number): Promise<number> {
    return this.request({ op: "prune", before, maxRows });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
