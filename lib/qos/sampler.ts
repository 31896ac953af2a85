/**
 * Keeps a stream under a budget of events per second: while the last second brought more than
 * the budget, only every Nth event goes on, and each one says "sampled 1:N" so the UI can show
 * that what it draws is a sample. Pure; time comes in.
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
  let every = 1;
  let counter = 0;
  const observe = (now: number) => {
    if (now - windowStart >= 1000) {
      // The last second's rate sets this second's sampling.
      every = inWindow > budgetPerSecond && now - windowStart < 2000 ? Math.ceil(inWindow / budgetPerSecond) : 1;
      windowStart = now;
      inWindow = 0;
    }
    inWindow++;
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
