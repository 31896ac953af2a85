/**
 * Group commit for the command log. Commands recorded or changed in the same turn of the event
 * loop are written in one transaction: a thousand concurrent commands cost a few commits, not
 * thousands. A command's saves in one batch collapse to its newest state. Batches run one after
 * another, so a command's states reach the store in order, and every promise resolves only once
 * its batch has committed: nothing is sent before its command is durable.
 */
import type { CommandLog } from "../store/command-log";
import type { Command } from "./lifecycle";

interface Pending {
  creates: { command: Command; resolve: (r: { command: Command; created: boolean }) => void; reject: (e: unknown) => void }[];
  saves: Map<string, Command>;
  saved: { resolve: () => void; reject: (e: unknown) => void }[];
}

/** How long a step that is only a record may wait to share a commit. */
const LAZY_MS = 1_000;

const empty = (): Pending => ({ creates: [], saves: new Map(), saved: [] });

export class WriteBatcher {
  private pending = empty();
  private scheduled = false;
  private lazyTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly log: CommandLog) {}

  create(command: Command): Promise<{ command: Command; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.pending.creates.push({ command, resolve, reject });
      this.schedule();
    });
  }

  /**
   * `urgent`: written in the next batch (a final state: the device's answer must be durable before
   * anyone is told). Otherwise within LAZY_MS, usually folded into the command's final state: the
   * steps in between (sent, delivered) are only a record, since a restart re-sends a command still
   * queued in the store and devices obey a command id once. Readers in this process see them at
   * once (CommandService.current); rewriting each command's row for every step cost more than
   * everything else the service does.
   */
  save(command: Command, urgent: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.saves.set(command.id, command);
      this.pending.saved.push({ resolve, reject });
      if (urgent) this.schedule();
      else this.lazyTimer ??= setTimeout(() => this.schedule(), LAZY_MS);
    });
  }

  /** Writes what waits now, and resolves once everything asked for so far is written (or has failed). */
  flush(): Promise<void> {
    if (this.pending.creates.length > 0 || this.pending.saves.size > 0) this.schedule();
    return new Promise((resolve) => setImmediate(() => void this.running.then(resolve)));
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, after the I/O callbacks of this turn: a socket read's replies share a batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.lazyTimer) clearTimeout(this.lazyTimer);
      this.lazyTimer = null;
      const batch = this.pending;
      this.pending = empty();
      this.running = this.running.then(() => this.write(batch));
    });
  }

  private async write(batch: Pending) {
    if (batch.creates.length > 0) {
      try {
        const results = await this.log.create(batch.creates.map((c) => c.command));
        batch.creates.forEach((c, i) => c.resolve(results[i]!));
      } catch (err) {
        for (const c of batch.creates) c.reject(err);
      }
    }
    if (batch.saves.size > 0) {
      try {
        await this.log.save([...batch.saves.values()]);
        for (const s of batch.saved) s.resolve();
      } catch (err) {
        for (const s of batch.saved) s.reject(err);
      }
    }
  }
}
