/**
 * A small seeded random number generator (sfc32 seeded by splitmix32). Every
 * random choice of a run draws from one of these, never Math.random, so that a
 * seed reproduces a run exactly on every backend.
 */
export interface IRandom {
  /** A float in [0, 1). */
  uniform(): number;
  /** An integer in [low, high] (inclusive). */
  int(low: number, high: number): number;
  /** One element of a non-empty list. */
  choice<T>(items: readonly T[]): T;
  /** A standard normal deviate (Box–Muller). */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): IRandom {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    // sfc32: small, fast, passes PractRand; 32-bit state words.
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) {
    next();
  }
  let spare: number | null = null;
  const uniform = (): number => next() / 4294967296;
  return {
    uniform,
    int: (low, high) => low + Math.floor(uniform() * (high - low + 1)),
    choice: items => {
      if (items.length === 0) {
        throw new RangeError('choice() needs at least one item');
      }
      return items[Math.floor(uniform() * items.length)];
    },
    normal: () => {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      let u = 0;
      while (u === 0) {
        u = uniform();
      }
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    }
  };
}

/** `n` normal deviates scaled by `sd`, as a Float32Array. */
export function normalArray(
  random: IRandom,
  n: number,
  sd: number
): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = random.normal() * sd;
  }
  return out;
}
