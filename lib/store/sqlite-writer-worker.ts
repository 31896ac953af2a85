/**
 * Worker thread entry: owns the SQLite store's write connection and runs each request through
 * SqliteWriter, answering with the result or the error message.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "./sqlite-schema";
import { SqliteWriter } from "./sqlite-writer";
import type { WriterRequest, WriterResponse } from "./sqlite-writer-thread";

const db = openDatabase((workerData as { path: string }).path);
const writer = new SqliteWriter(db);

parentPort!.on("message", (req: WriterRequest) => {
  let res: WriterResponse;
  try {
    res = req.op === "append" ? { id: req.id, ok: true, value: writer.append(req.batch) } : { id: req.id, ok: true, value: writer.prune(req.before, req.maxRows) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});
