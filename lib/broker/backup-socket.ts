import "server-only";
/**
 * How `npm run backup` copies the broker's file while the server runs. The embedded broker holds
 * its SQLite file in EXCLUSIVE locking mode for its whole life (lib/broker/persistence/schema.ts:
 * no other process can even read it, and its WAL index lives in the broker's memory, so the bytes
 * on disk are not a consistent database either), and that lock is what keeps a second broker off
 * the file, so it stays. Instead the broker takes the copy itself, on request: SQLite's online
 * backup API on its own connection, which carries the writes it makes meanwhile into the copy, in
 * small steps between which the broker goes on serving. The copy then streams to the asker.
 *
 * The request comes over a Unix socket beside the file (`backupSocketPath`),
 * readable and writable by the file's owner only: whoever can connect could read the file itself
 * were it not locked, and nothing else is offered on it. One JSON line asks, `{"op":"backup"}`;
 * one JSON line answers, `{"ok":true,"bytes":N}` followed by the N bytes of the database, or
 * `{"ok":false,"error":"…"}`; then the connection ends.
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmodSync, createReadStream, createWriteStream, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";

/** A request or an answer line longer than this is not one. */
const MAX_LINE_BYTES = 4096;
/** A connection whose turn has come and that sends no request within this long is dropped. */
const IDLE_MS = 30_000;

const requestSchema = z.object({ op: z.literal("backup") }).strict();
const answerSchema = z.discriminatedUnion("ok", [z.object({ ok: z.literal(true), bytes: z.number().int().min(0) }), z.object({ ok: z.literal(false), error: z.string() })]);
type Answer = z.infer<typeof answerSchema>;

/**
 * Linux takes at most 107 bytes for a socket's path; past this one, the socket goes to /tmp (not
 * TMPDIR, which the server's and the CLI's environments might not share).
 */
const MAX_SOCKET_PATH = 100;

/**
 * The Unix socket on which a running embedded broker answers backup requests
 * (`serveBrokerBackups` below): beside its file, or, when that path is too long for a socket, in
 * the temporary folder under a name made from the file's absolute path. The server and the backup
 * CLI both call this, so they agree.
 */
export function backupSocketPath(brokerFile: string, tmpDir = "/tmp"): string {
  const abs = resolve(brokerFile);
  const beside = `${abs}-backup.sock`;
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH) return beside;
  return join(tmpDir, `fleetscope-broker-${createHash("sha256").update(abs).digest("hex").slice(0, 16)}.sock`);
}

/** Reads one line from the socket; resolves with it and whatever arrived after it. */
function readLine(socket: Socket): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(0x0a);
      if (nl < 0 && head.length <= MAX_LINE_BYTES) return;
      done();
      if (nl < 0) reject(new Error(`no line within ${MAX_LINE_BYTES} bytes`));
      else resolve({ line: head.subarray(0, nl).toString("utf8"), rest: head.subarray(nl + 1) });
    };
    const onEnd = () => {
      done();
      reject(new Error("the connection closed before a whole line"));
    };
    const done = () => {
      socket.off("data", onData).off("end", onEnd).off("close", onEnd);
      socket.pause();
    };
    socket.on("data", onData).on("end", onEnd).on("close", onEnd);
  });
}

const sendLine = (socket: Socket, answer: Answer) => socket.write(`${JSON.stringify(answer)}\n`);

export interface BrokerBackups {
  socket: string;
  /** Stops answering: ends every connection, lets a copy being taken finish (unsent), removes the socket. */
  close(): Promise<void>;
}

/**
 * Answers backup requests for `brokerFile` on `socketPath`. `backup(destination)` writes a
 * consistent copy of the database to a new file. Call it only while this process holds the
 * broker file's lock: a socket already at the path is then a dead server's, and is replaced.
 */
export async function serveBrokerBackups(opts: { brokerFile: string; socketPath: string; backup: (destination: string) => Promise<void> }): Promise<BrokerBackups> {
  const { socketPath } = opts;
  // Copies a killed server left behind (and their -journal files); none can be in use now.
  const copyPrefix = `.${basename(opts.brokerFile)}.backup-`;
  for (const f of readdirSync(dirname(opts.brokerFile))) if (f.startsWith(copyPrefix)) rmSync(join(dirname(opts.brokerFile), f), { force: true });
  const connections = new Set<Socket>();
  /** One copy at a time: each is a whole file's worth of disk beside the broker's. */
  let last: Promise<void> = Promise.resolve();

  const answer = async (socket: Socket) => {
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    const { line } = await readLine(socket);
    // Copying a large file may take a while, during which the connection is rightly silent.
    socket.setTimeout(0);
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      request = null;
    }
    if (!requestSchema.safeParse(request).success) {
      sendLine(socket, { ok: false, error: 'unknown request: this socket answers {"op":"backup"} only' });
      return;
    }
    const copy = join(dirname(opts.brokerFile), `${copyPrefix}${randomBytes(6).toString("hex")}.tmp`);
    try {
      await opts.backup(copy);
      sendLine(socket, { ok: true, bytes: statSync(copy).size });
      await pipeline(createReadStream(copy), socket);
    } catch (err) {
      if (!socket.destroyed) sendLine(socket, { ok: false, error: `the broker could not copy its file: ${(err as Error).message}` });
    } finally {
      rmSync(copy, { force: true });
    }
  };

  const server = createServer((socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => socket.destroy());
    const mine = last.then(() => answer(socket)).catch(() => undefined);
    last = mine.then(() => {
      socket.end();
    });
  });
  // Bound under a name of its own and made private before it takes the real name, so the socket is
  // never reachable by others, not even for an instant.
  const pending = `${socketPath}.${process.pid}.tmp`;
  rmSync(pending, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(pending, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(pending, 0o600);
  renameSync(pending, socketPath);

  return {
    socket: socketPath,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // A copy being taken finishes (the broker's file is still open); nobody receives it.
      for (const c of connections) c.destroy();
      await last;
      await closed;
      rmSync(socketPath, { force: true });
    },
  };
}

export type BrokerCopy = { kind: "copied"; bytes: number } | { kind: "no-server"; why: string };

/**
 * Asks the server answering on `socketPath` for a copy of its broker's database, written to
 * `destination` (a new file). "no-server" when nothing listens there; any other failure throws.
 */
export async function requestBrokerBackup(socketPath: string, destination: string): Promise<BrokerCopy> {
  const socket = createConnection(socketPath);
  try {
    await once(socket, "connect");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    socket.destroy();
    if (code === "ENOENT" || code === "ECONNREFUSED") return { kind: "no-server", why: code === "ENOENT" ? `there is no socket ${socketPath}` : `nothing listens on ${socketPath}` };
    throw err;
  }
  let failure: Error | null = null;
  socket.on("error", (err) => (failure = err));
  try {
    socket.write(`${JSON.stringify({ op: "backup" })}\n`);
    const { line, rest } = await readLine(socket).catch((err: Error) => {
      throw new Error(`${socketPath} closed without answering (${failure?.message ?? err.message})`);
    });
    let parsed: Answer;
    try {
      parsed = answerSchema.parse(JSON.parse(line));
    } catch {
      throw new Error(`${socketPath} answered something that is not a backup answer`);
    }
    if (!parsed.ok) throw new Error(parsed.error);
    const out = createWriteStream(destination, { flags: "wx" });
    let bytes = 0;
    const counted = async function* () {
      bytes += rest.length;
      yield rest;
      for await (const chunk of socket) {
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    };
    await pipeline(counted, out);
    if (bytes !== parsed.bytes) throw new Error(`the broker's copy was cut short: ${bytes} of ${parsed.bytes} bytes arrived`);
    return { kind: "copied", bytes };
  } finally {
    socket.destroy();
  }
}

/** Whether a server answers on `socketPath` (it is then running, whatever its locks say). */
export async function brokerServerAnswers(socketPath: string): Promise<boolean> {
  const socket = createConnection(socketPath);
  try {
    await once(socket, "connect");
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
