/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32), so the same seed always yields
 * the same demo data set, on every machine and Node version.
 */

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
    value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
    return (value ^ (value >>> 16)) >>> 0;
  };
}

/** Deterministic random numbers, choices and bytes derived from one integer seed. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let round = 0; round < 12; round++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `size` random bytes (for Convex internal ids). */
  bytes(size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (let index = 0; index < size; index += 4) {
      let word = this.uint32();
      for (let offset = 0; offset < 4 && index + offset < size; offset++) {
        out[index + offset] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }

  /**
   * Marks exactly `counts[k]` distinct positions of `[from, size)` with kind `k + 1` (a partial Fisher-Yates
   * shuffle); every other position is 0. Counts larger than the range are cut to fit.
   */
  plant(size: number, counts: readonly number[], from = 0): { kinds: Uint8Array; planted: number[] } {
    const kinds = new Uint8Array(size);
    const range = Math.max(0, size - from);
    const order = new Int32Array(range);
    for (let index = 0; index < range; index++) order[index] = from + index;
    const planted: number[] = [];
    let cursor = 0;
    counts.forEach((count, kind) => {
      const take = Math.max(0, Math.min(count, range - cursor));
      for (let step = 0; step < take; step++, cursor++) {
        const swap = cursor + this.int(range - cursor);
        const chosen = order[swap]!;
        order[swap] = order[cursor]!;
        order[cursor] = chosen;
        kinds[chosen] = kind + 1;
      }
      planted.push(take);
    });
    return { kinds, planted };
  }
}
