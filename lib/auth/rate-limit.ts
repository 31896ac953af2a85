/**
 * Login throttling, pure (the clock is passed in): failures are counted per account and per
 * address over a sliding window. Past a limit, further attempts are refused until the oldest
 * failure leaves the window, whether the password would have been right or not, so guessing
 * runs at most `maxPerAccount` tries per window per account and `maxPerAddress` per address.
 */
export interface LimiterOptions {
  windowMs: number;
  maxPerAccount: number;
  maxPerAddress: number;
  /** Keys remembered at most; the oldest go first (memory stays bounded under a spray). */
  maxKeys: number;
}

export const LOGIN_LIMITS: LimiterOptions = { windowMs: 15 * 60_000, maxPerAccount: 5, maxPerAddress: 20, maxKeys: 10_000 };

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number; by: "account" | "address" };

export class LoginLimiter {
  /** key → failure times, oldest first. Map order is insertion order: the eviction order. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: LimiterOptions = LOGIN_LIMITS) {}

  check(account: string, address: string, now: number): LimitDecision {
    const a = this.recent(`u:${account}`, now);
    if (a.length >= this.opts.maxPerAccount) return { allowed: false, retryAfterMs: a[0]! + this.opts.windowMs - now, by: "account" };
    const b = this.recent(`a:${address}`, now);
    if (b.length >= this.opts.maxPerAddress) return { allowed: false, retryAfterMs: b[0]! + this.opts.windowMs - now, by: "address" };
    return { allowed: true };
  }

  fail(account: string, address: string, now: number): void {
    for (const key of [`u:${account}`, `a:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    while (this.failures.size > this.opts.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A right password clears the account's failures (not the address's: one good account must not unlock a spray). */
  succeed(account: string): void {
    this.failures.delete(`u:${account}`);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > now - this.opts.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
