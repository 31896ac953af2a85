/**
 * Worker thread entry: owns a store's write connection (SqliteWriter or PgWriter) and runs each
 * request through it, answering with the result or the error message. Requests are handled one
 * at a time, in order, as the bridge commits its batches in order.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WriterRequest, WriterResponse, WriterTarget } from "./thread";
import type { EpochMs } from "../../devices/model";
import type { AppendResult, Batch } from "../types";

interface Writer {
  append(batch: Batch): AppendResult | Promise<AppendResult>;
  prune?(before: EpochMs, maxRows: number): number;
  close(): void | Promise<void>;
}

async function open(target: WriterTarget): Promise<Writer> {
  if (target.kind === "postgres") {
    const { PgWriter } = await import("../postgres/writer");
    return new PgWriter(target);
  }
  const [{ openDatabase }, { SqliteWriter }] = await Promise.all([import("../sqlite/schema"), import("../sqlite/writer")]);
  const db = openDatabase(target.path);
  const writer = new SqliteWriter(db);
  return { append: (b) => writer.append(b), prune: (before, max) => writer.prune(before, max), close: () => void db.close() };
}

const writer = await open(workerData as WriterTarget);

/** The last append handled; requests are handled in the order they were sent. */
let lastAppend = { id: 0, ok: true };

async function run(req: WriterRequest): Promise<unknown> {
  if (req.op === "append") {
    if (req.after !== null && req.after === lastAppend.id && !lastAppend.ok) {
      lastAppend = { id: req.id, ok: false };
      throw new Error("not written: the batch sent before it failed");
    }
    lastAppend = { id: req.id, ok: false };
    const result = await writer.append(req.batch);
    lastAppend.ok = true;
    return result;
  }
  if (req.op === "close") return writer.close();
  if (!writer.prune) throw new Error("this store prunes on its own connection");
  return writer.prune(req.before, req.maxRows);
}

let queue: Promise<void> = Promise.resolve();
parentPort!.on("message", (req: WriterRequest) => {
  queue = queue.then(async () => {
    let res: WriterResponse;
    try {
      res = { id: req.id, ok: true, value: await run(req) };
    } catch (err) {
      res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(res);
  });
});
