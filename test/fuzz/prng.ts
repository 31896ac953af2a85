/**
 * A small seeded PRNG for the fuzzer: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator), its state filled from the seed by splitmix32. Same seed, same sequence, in any
 * runtime; no `Math.random` anywhere in what it drives.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Two numbers to one seed: a connection's own stream from the run's seed and its index. */
export function mixSeed(seed: number, n: number): number {
  return splitmix32((seed ^ Math.imul(n + 1, 0x27d4eb2f)) >>> 0)();
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const next = splitmix32(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** In [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.float() * total;
    for (const [x, w] of choices) {
      r -= w;
      if (r < 0) return x;
    }
    return choices[choices.length - 1]![0];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const r = this.u32();
      out[i] = r & 0xff;
      if (i + 1 < n) out[i + 1] = (r >>> 8) & 0xff;
      if (i + 2 < n) out[i + 2] = (r >>> 16) & 0xff;
      if (i + 3 < n) out[i + 3] = r >>> 24;
    }
    return out;
  }
}
