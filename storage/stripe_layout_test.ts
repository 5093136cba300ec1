import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { AssertionError } from "./core/mod.ts";
import { StripeLayout } from "./stripe_layout.ts";

const DATA_SHARDS = 6;
const BLOCK_SIZE_BYTES = 4;
const STRIPE_BYTES = DATA_SHARDS * BLOCK_SIZE_BYTES;

interface LayoutCase {
  readonly name: string;
  readonly sizeBytes: number;
  readonly stripeCount: number;
  readonly stripeLengths: readonly number[];
  readonly blockLengths: readonly number[];
  readonly shardDataLength: number;
}

const CASES: readonly LayoutCase[] = [
  {
    name: "an empty object",
    sizeBytes: 0,
    stripeCount: 0,
    stripeLengths: [],
    blockLengths: [],
    shardDataLength: 0,
  },
  {
    name: "a one-byte object",
    sizeBytes: 1,
    stripeCount: 1,
    stripeLengths: [1],
    blockLengths: [1],
    shardDataLength: 1,
  },
  {
    name: "a (k-1)-byte object",
    sizeBytes: DATA_SHARDS - 1,
    stripeCount: 1,
    stripeLengths: [5],
    blockLengths: [1],
    shardDataLength: 1,
  },
  {
    name: "a k-byte object",
    sizeBytes: DATA_SHARDS,
    stripeCount: 1,
    stripeLengths: [6],
    blockLengths: [1],
    shardDataLength: 1,
  },
  {
    name: "a (k+1)-byte object",
    sizeBytes: DATA_SHARDS + 1,
    stripeCount: 1,
    stripeLengths: [7],
    blockLengths: [2],
    shardDataLength: 2,
  },
  {
    name: "an object of one stripe minus one byte",
    sizeBytes: STRIPE_BYTES - 1,
    stripeCount: 1,
    stripeLengths: [23],
    blockLengths: [4],
    shardDataLength: 4,
  },
  {
    name: "an object of exactly one stripe",
    sizeBytes: STRIPE_BYTES,
    stripeCount: 1,
    stripeLengths: [24],
    blockLengths: [4],
    shardDataLength: 4,
  },
  {
    name: "an object of a stripe plus one byte",
    sizeBytes: STRIPE_BYTES + 1,
    stripeCount: 2,
    stripeLengths: [24, 1],
    blockLengths: [4, 1],
    shardDataLength: 5,
  },
  {
    name: "an object of many stripes and a partial one",
    sizeBytes: 10 * STRIPE_BYTES + 7,
    stripeCount: 11,
    stripeLengths: [...Array(10).fill(24), 7],
    blockLengths: [...Array(10).fill(4), 2],
    shardDataLength: 42,
  },
  {
    name: "an object of many full stripes",
    sizeBytes: 10 * STRIPE_BYTES,
    stripeCount: 10,
    stripeLengths: Array(10).fill(24),
    blockLengths: Array(10).fill(4),
    shardDataLength: 40,
  },
];

for (const c of CASES) {
  Deno.test(`StripeLayout gives the stripe and block geometry of ${c.name}`, () => {
    const layout = new StripeLayout(c.sizeBytes, DATA_SHARDS, BLOCK_SIZE_BYTES);
    assertEquals(layout.stripeBytes, STRIPE_BYTES);
    assertEquals(layout.stripeCount, c.stripeCount);
    const indexes = Array.from({ length: layout.stripeCount }, (_, index) => index);
    assertEquals(indexes.map((index) => layout.stripeLength(index)), c.stripeLengths);
    assertEquals(indexes.map((index) => layout.blockLength(index)), c.blockLengths);
    assertEquals(layout.shardDataLength(), c.shardDataLength);
  });
}

/** Every layout of sizes 0..(3 stripes + 1) for a few shapes, to check the invariants exhaustively. */
function* smallLayouts(): Generator<StripeLayout> {
  for (const [dataShards, blockSizeBytes] of [[1, 1], [1, 5], [6, 4], [4, 3], [10, 1], [3, 7]]) {
    for (let sizeBytes = 0; sizeBytes <= 3 * dataShards * blockSizeBytes + 1; sizeBytes++) {
      yield new StripeLayout(sizeBytes, dataShards, blockSizeBytes);
    }
  }
}

function describe(layout: StripeLayout): string {
  return `size ${layout.sizeBytes}, ${layout.dataShards} × ${layout.blockSizeBytes}`;
}

Deno.test("StripeLayout stripe lengths add up to the object size", () => {
  for (const layout of smallLayouts()) {
    let total = 0;
    for (let index = 0; index < layout.stripeCount; index++) total += layout.stripeLength(index);
    assertEquals(total, layout.sizeBytes, describe(layout));
  }
});

Deno.test("StripeLayout shard data length is the sum of its block lengths", () => {
  for (const layout of smallLayouts()) {
    let total = 0;
    for (let index = 0; index < layout.stripeCount; index++) total += layout.blockLength(index);
    assertEquals(layout.shardDataLength(), total, describe(layout));
  }
});

Deno.test("StripeLayout blocks are the smallest that hold their stripe, full but for the last", () => {
  for (const layout of smallLayouts()) {
    for (let index = 0; index < layout.stripeCount; index++) {
      const stripe = layout.stripeLength(index);
      const block = layout.blockLength(index);
      assert(stripe >= 1, `${describe(layout)}: stripe ${index} is empty`);
      assert(
        block * layout.dataShards >= stripe,
        `${describe(layout)}: stripe ${index} does not fit its blocks`,
      );
      assert(
        (block - 1) * layout.dataShards < stripe,
        `${describe(layout)}: stripe ${index} blocks are too long`,
      );
      if (index < layout.stripeCount - 1) assertEquals(block, layout.blockSizeBytes, describe(layout));
    }
  }
});

Deno.test("StripeLayout stripeOf finds the stripe whose byte range holds the offset", () => {
  for (const layout of smallLayouts()) {
    let stripeStart = 0;
    for (let index = 0; index < layout.stripeCount; index++) {
      const stripeEnd = stripeStart + layout.stripeLength(index);
      for (let offset = stripeStart; offset < stripeEnd; offset++) {
        assertEquals(layout.stripeOf(offset), index, `${describe(layout)}, offset ${offset}`);
      }
      stripeStart = stripeEnd;
    }
  }
});

Deno.test("StripeLayout stripeOf maps stripe boundaries to the next stripe", () => {
  const layout = new StripeLayout(3 * STRIPE_BYTES, DATA_SHARDS, BLOCK_SIZE_BYTES);
  assertEquals(
    [0, STRIPE_BYTES - 1, STRIPE_BYTES, 2 * STRIPE_BYTES - 1, 2 * STRIPE_BYTES].map((offset) =>
      layout.stripeOf(offset)
    ),
    [0, 0, 1, 1, 2],
  );
});

Deno.test("StripeLayout handles an object of 5 TiB without losing precision", () => {
  const sizeBytes = 5 * 1024 ** 4;
  const layout = new StripeLayout(sizeBytes, 6, 1024 * 1024);
  assertEquals(layout.stripeCount, Math.ceil(sizeBytes / (6 * 1024 * 1024)));
  const last = layout.stripeCount - 1;
  assertEquals(last * layout.stripeBytes + layout.stripeLength(last), sizeBytes);
  assertEquals(layout.shardDataLength(), last * 1024 * 1024 + layout.blockLength(last));
  assertEquals(layout.stripeOf(sizeBytes - 1), last);
});

Deno.test("StripeLayout rejects a negative, fractional or unsafe size as a bug", () => {
  for (const sizeBytes of [-1, 1.5, Number.NaN, 2 ** 53]) {
    const error = assertThrows(() => new StripeLayout(sizeBytes, DATA_SHARDS, BLOCK_SIZE_BYTES));
    assert(error instanceof AssertionError, `size ${sizeBytes}: ${error}`);
  }
});

Deno.test("StripeLayout rejects zero data shards or a zero block size as a bug", () => {
  for (const [dataShards, blockSizeBytes] of [[0, 4], [6, 0]]) {
    const error = assertThrows(() => new StripeLayout(10, dataShards, blockSizeBytes));
    assert(error instanceof AssertionError, `${dataShards} × ${blockSizeBytes}: ${error}`);
  }
});
