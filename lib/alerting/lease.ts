import "server-only";
/**
 * Which process evaluates the alerts: with several servers or bridges on one PostgreSQL store,
 * each alert must be evaluated (and notified) once, so one process holds a lease and the others
 * wait. The lease is a row of the alerts meta table, `{ holder, expiresAt }`, taken in one atomic
 * upsert when it is free, expired or already ours (AlertStore.takeLease), renewed every
 * `renewMs`, given up on a clean stop.
 *
 * Why a row with an expiry and not pg_try_advisory_lock: an advisory lock lives as long as one
 * database session, so it needs a client kept out of the pool for the process's life, and a
 * half-open connection (a partitioned host) keeps the lock held until the server notices the
 * socket is dead — TCP keepalive, minutes by default — while no one evaluates. An expiry is given
 * up by time alone, works the same on SQLite (one code path, in the store's contract suite), and
 * the holder is the process's FLEETSCOPE_BRIDGE_ID, so a server restarted after a crash takes its
 * own lease back at once instead of waiting out the TTL. With SQLite the single process takes it
 * on its first try.
 *
 * What it assumes: hosts' clocks agree within GUARD_MS (NTP), since expiry is compared on each
 * taker's clock; the holder stops writing GUARD_MS before its lease runs out (`valid`), so a
 * process stalled past its TTL does not write over its successor. A stall of the whole event
 * loop between that check and a commit is the one window left; it costs at most one batch.
 */
import { EventEmitter } from "node:events";
import type { AlertStore } from "../store/alerts";

export const LEASE_KEY = "lease";
export const LEASE_TTL_MS = 15_000;
export const LEASE_RENEW_MS = 5_000;
/** The holder treats its lease as gone this long before it expires. */
export const GUARD_MS = 2_000;

export interface LeaseOptions {
  store: AlertStore;
  holder: string;
  ttlMs?: number;
  renewMs?: number;
  now?: () => number;
}

interface LeaseEvents {
  /** Taken (true) or lost (false). */
  change: [held: boolean];
  error: [Error];
}

export class Lease extends EventEmitter<LeaseEvents> {
  private until = 0;
  private isHeld = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly now: () => number;
  /** The last renewal's error, for /api/health. */
  lastError: string | null = null;

  constructor(private readonly opts: LeaseOptions) {
    super();
    this.ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? LEASE_RENEW_MS;
    this.now = opts.now ?? Date.now;
  }

  get held(): boolean {
    return this.isHeld;
  }

  get holder(): string {
    return this.opts.holder;
  }

  /** Whether this process may still write as the holder at `now`. */
  valid(now = this.now()): boolean {
    return this.isHeld && now < this.until - Math.min(GUARD_MS, this.ttlMs / 3);
  }

  /** Tries once now (so a lone process holds it when this resolves), then every renewMs. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.isHeld) return;
    this.set(false);
    await this.opts.store.releaseLease(LEASE_KEY, this.opts.holder).catch((err: unknown) => this.failed(err));
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt().finally(() => this.schedule()), this.renewMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    const now = this.now();
    try {
      const got = await this.opts.store.takeLease(LEASE_KEY, this.opts.holder, now, now + this.ttlMs);
      this.lastError = null;
      if (this.stopped) return;
      if (got) this.until = now + this.ttlMs;
      this.set(got);
    } catch (err) {
      this.failed(err);
      // Unrenewed, the lease runs out on its own: stop before another may take it.
      if (this.isHeld && !this.valid()) this.set(false);
    }
  }

  private set(held: boolean) {
    if (held === this.isHeld) return;
    this.isHeld = held;
    this.emit("change", held);
  }

  private failed(err: unknown) {
    const error = err instanceof Error ? err : new Error(String(err));
    this.lastError = `lease: ${error.message}`;
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }
}
