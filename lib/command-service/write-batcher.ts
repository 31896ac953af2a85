/**
 * Group commit for the command log. Writes someone waits for (a new command, which is recorded
 * before it is sent; a final state, durable before anyone is told) gather for GATHER_MS and share
 * one transaction. Steps that are only a record (sent, delivered, a PUBCOMP after the reply) wait
 * up to LAZY_MS and are usually folded into their command's final write: a restart re-sends a
 * command still queued in the store and devices obey a command id once, and readers in this
 * process see every step at once (CommandService.current). Rewriting each command's row for every
 * step was most of the service's cost (measured: 4.4 rows written per command, now about 2).
 * Batches run one after another and a command's states reach the store in the order saved; every
 * promise resolves once the write that holds its state has committed.
 */
import type { CommandLog } from "../store/command-log";
import type { Command } from "../commands/lifecycle";

type Waiter = { resolve: () => void; reject: (e: unknown) => void };
type Creating = { command: Command; resolve: (r: { command: Command; created: boolean }) => void; reject: (e: unknown) => void };

/** How long a write that someone waits for gathers others to share its commit. */
const GATHER_MS = 3;
/** How long a step that is only a record may wait to share a commit. */
const LAZY_MS = 1_000;

export class WriteBatcher {
  private creates: Creating[] = [];
  /** Newest state per command, and who waits for it: written at the next gather. */
  private urgent = new Map<string, Command>();
  /** The same, for steps that may wait for the lazy timer (or a later urgent write of their command). */
  private lazy = new Map<string, Command>();
  private waiters = new Map<string, Waiter[]>();
  private gatherTimer: NodeJS.Timeout | null = null;
  private lazyTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly log: CommandLog) {}

  create(command: Command): Promise<{ command: Command; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.creates.push({ command, resolve, reject });
      this.gatherSoon();
    });
  }

  save(command: Command, urgent: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = this.waiters.get(command.id);
      if (waiting) waiting.push({ resolve, reject });
      else this.waiters.set(command.id, [{ resolve, reject }]);
      if (urgent || this.urgent.has(command.id)) {
        // Supersedes a lazy state of the same command: the newest one is what gets written.
        this.lazy.delete(command.id);
        this.urgent.set(command.id, command);
        this.gatherSoon();
      } else {
        this.lazy.set(command.id, command);
        this.lazyTimer ??= setTimeout(() => this.take(true), LAZY_MS);
      }
    });
  }

  /** Writes everything that waits, and resolves once all asked for so far is written (or has failed). */
  flush(): Promise<void> {
    this.take(true);
    return this.running;
  }

  private gatherSoon() {
    this.gatherTimer ??= setTimeout(() => this.take(false), GATHER_MS);
  }

  /** Moves what waits into the next batch: the urgent writes, and with `all` the lazy ones too. */
  private take(all: boolean) {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    const saves = this.urgent;
    this.urgent = new Map();
    if (all) {
      if (this.lazyTimer) clearTimeout(this.lazyTimer);
      this.lazyTimer = null;
      for (const [id, c] of this.lazy) saves.set(id, c);
      this.lazy = new Map();
    }
    const waiters: Waiter[] = [];
    for (const id of saves.keys()) {
      waiters.push(...(this.waiters.get(id) ?? []));
      this.waiters.delete(id);
    }
    const creates = this.creates;
    this.creates = [];
    if (creates.length === 0 && saves.size === 0) return;
    this.running = this.running.then(() => this.write(creates, [...saves.values()], waiters));
  }

  private async write(creates: Creating[], saves: Command[], waiters: Waiter[]) {
    if (creates.length > 0) {
      try {
        const results = await this.log.create(creates.map((c) => c.command));
        creates.forEach((c, i) => c.resolve(results[i]!));
      } catch (err) {
        for (const c of creates) c.reject(err);
      }
    }
    if (saves.length > 0) {
      try {
        await this.log.save(saves);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
  }
}
