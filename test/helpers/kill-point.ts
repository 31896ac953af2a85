/**
 * Crash points for the broker process (broker-process.ts): tests that must kill it at one exact
 * instant, rather than at a moment that only probably falls in a window, name it in
 * BROKER_SIGKILL_AT, and the process kills itself with SIGKILL right there:
 * - `puback`: once it has written a whole PUBACK to a client's socket;
 * - `write`: once a transaction that changed its SQLite file has committed.
 * The point is armed by SIGUSR2 (answered with `armed` on stdout), so what the test sets up
 * before (a subscription, a session) does not trip it.
 */
import { Socket } from "node:net";
import Database from "better-sqlite3";
import { MqttFramer } from "../../lib/mqtt/framer";

let armed = false;
const die = () => process.kill(process.pid, "SIGKILL");

function killAfterPuback(): void {
  const framers = new WeakMap<Socket, MqttFramer>();
  const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;
  Socket.prototype.write = function killingWrite(this: Socket, ...args: unknown[]) {
    const written = write.apply(this, args);
    const chunk = args[0];
    if (armed && chunk instanceof Uint8Array) {
      let framer = framers.get(this);
      if (!framer) framers.set(this, (framer = new MqttFramer()));
      // mqtt-packet corks the socket for a packet's pieces and uncorks it on the next tick: the
      // PUBACK leaves then, so the process dies on the tick after.
      framer.feed(chunk, (p) => p.type === "puback" && process.nextTick(die));
    }
    return written;
  } as Socket["write"];
}

function killAfterWrite(): void {
  const transaction = Database.prototype.transaction;
  Database.prototype.transaction = function killingTransaction(this: Database.Database, fn) {
    const run = transaction.call(this, fn);
    const changes = this.prepare<[], number>("SELECT total_changes()").pluck();
    return Object.assign((...args: unknown[]) => {
      const before = changes.get()!;
      const result = (run as (...a: unknown[]) => unknown)(...args);
      if (armed && changes.get()! > before) die();
      return result;
    }, run) as typeof run;
  } as typeof transaction;
}

export function installKillPoint(point: string | undefined): void {
  if (point === undefined) return;
  if (point === "puback") killAfterPuback();
  else if (point === "write") killAfterWrite();
  else throw new Error(`BROKER_SIGKILL_AT: no such crash point: ${point}`);
  process.on("SIGUSR2", () => {
    armed = true;
    process.stdout.write("armed\n");
  });
}
