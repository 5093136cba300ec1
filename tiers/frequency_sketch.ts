/**
 * A count-min sketch of access frequencies with periodic halving (the TinyLFU estimator): 4 rows of
 * 8-bit counters; after `sampleSize` increments every counter is halved, so old popularity fades.
 * Memory is fixed (4 × width bytes) whatever the number of keys.
 */

const ROWS = 4;
const MAX_COUNT = 255;
const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];

/** Estimates how often each key was seen recently. */
export class FrequencySketch {
  readonly #table: Uint8Array;
  readonly #mask: number;
  readonly #sampleSize: number;
  #additions = 0;

  /** `expectedKeys` sizes the table (rounded up to a power of two, at least 1024 counters per row). */
  constructor(expectedKeys: number) {
    let width = 1024;
    while (width < expectedKeys * 4) width *= 2;
    this.#table = new Uint8Array(width * ROWS);
    this.#mask = width - 1;
    this.#sampleSize = width * 10;
  }

  /** Records one access to `key`. */
  increment(key: string): void {
    const base = hashKey(key);
    let added = false;
    for (let row = 0; row < ROWS; row++) {
      const index = this.#index(base, row);
      if (this.#table[index] < MAX_COUNT) {
        this.#table[index]++;
        added = true;
      }
    }
    if (added && ++this.#additions >= this.#sampleSize) this.#halve();
  }

  /** The estimated recent access count of `key` (never an underestimate before halving). */
  frequency(key: string): number {
    const base = hashKey(key);
    let min = MAX_COUNT;
    for (let row = 0; row < ROWS; row++) min = Math.min(min, this.#table[this.#index(base, row)]);
    return min;
  }

  #index(base: number, row: number): number {
    let h = Math.imul(base ^ SEEDS[row], 0x5bd1e995);
    h ^= h >>> 15;
    return row * (this.#mask + 1) + (h & this.#mask);
  }

  #halve(): void {
    for (let i = 0; i < this.#table.length; i++) this.#table[i] >>>= 1;
    this.#additions = Math.floor(this.#additions / 2);
  }
}

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
