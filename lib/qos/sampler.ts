/**
 * Keeps a stream under a budget of events per second: while the last second brought more than
 * the budget, only every Nth event goes on, and each one says "sampled 1:N" so the UI can show
 * that what it draws is a sample. Within a second, too, once k budgets' worth have come, only 1 in
 * k goes on: a burst is bounded from its first second, not only from the second after it (at
 * 36 times the budget, a second keeps about 4 budgets' worth rather than all of it). Pure; time
 * comes in.
 */
export interface Sampler {
  /** Whether this event goes on, and at which sampling (1 = everything). */
  take(now: number): { send: boolean; every: number };
  /** Counts this event and says the sampling in force, for callers that pick which Nth themselves. */
  observe(now: number): number;
}

export function createSampler(budgetPerSecond: number): Sampler {
  let windowStart = 0;
  let inWindow = 0;
  /** Set by the last second's rate, for the whole of this one. */
  let fromLastSecond = 1;
  let every = 1;
  let counter = 0;
  const observe = (now: number) => {
    if (now - windowStart >= 1000) {
      fromLastSecond = inWindow > budgetPerSecond && now - windowStart < 2000 ? Math.ceil(inWindow / budgetPerSecond) : 1;
      every = fromLastSecond;
      windowStart = now;
      inWindow = 0;
    }
    inWindow++;
    // This second's count so far never exceeds its rate: the sampling it implies is never too coarse.
    if (inWindow > budgetPerSecond * every) every = Math.max(fromLastSecond, Math.ceil(inWindow / budgetPerSecond));
    return every;
  };
  return {
    observe,
    take(now) {
      const n = observe(now);
      return { send: counter++ % n === 0, every: n };
    },
  };
}
