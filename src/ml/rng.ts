// Seeded, splittable PRNG. Every random choice in a run derives from (seed, purpose, step/index), so a
// resumed run replays exactly the same data order, augmentation, masks and drop-path draws.

/** 32-bit mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashKey(key: string | number): number {
  // Low and high words mixed separately, so negative keys (e.g. -1) never alias small positive ones.
  if (typeof key === 'number') return mix32(mix32((key >>> 0) ^ 0x9e3779b9) ^ (Math.floor(key / 2 ** 32) >>> 0) ^ 0x85ebca6b);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix32(h);
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator derived from a seed and a path of keys, e.g. `Rng.derive(seed, 'mask', step)`. */
  static derive(seed: number, ...keys: (string | number)[]): Rng {
    let h = mix32(seed >>> 0);
    for (const k of keys) h = mix32(h ^ hashKey(k));
    return new Rng(h);
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(arr: T[] | Int32Array): typeof arr {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  getState(): number {
    return this.state;
  }
}
