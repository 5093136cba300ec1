import { assert } from "../core/mod.ts";
import { codeShards, type ShardCoder, TYPESCRIPT_SHARD_CODER } from "./shard_coder.ts";
import { bestShardCoder, createShardCoder, supportedShardCoderKinds } from "./shard_coders.ts";
import { assertBytesEqual, SeededRandom } from "./test_helpers.ts";

/** One coder of every kind this runtime runs (created once: each holds a WebAssembly memory). */
const CODERS: readonly ShardCoder[] = supportedShardCoderKinds().map((kind) => {
  const coder = createShardCoder(kind);
  assert(coder !== null, `${kind} is listed as supported but cannot be created`);
  return coder;
});

/** Lengths around the kernel's 16- and 32-byte steps and its chunks (32 KiB per shard at most). */
const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 32 * 1024 - 1, 32 * 1024 + 1, 65537];

/** `rows` random coefficient rows of `columns` entries, with 0 and 1 (the special cases) mixed in. */
function randomRows(random: SeededRandom, rows: number, columns: number): Uint8Array[] {
  return Array.from({ length: rows }, () => {
    const row = random.bytes(columns);
    for (let i = 0; i < columns; i++) if (random.below(6) === 0) row[i] = random.below(2);
    return row;
  });
}

/** Runs every coder on the same arguments and compares each output with the TypeScript reference. */
function checkAllCoders(
  rows: Uint8Array[],
  inputs: Uint8Array[],
  start: number,
  end: number,
  label: string,
): void {
  const byteLength = inputs.length === 0 ? 0 : inputs[0].length;
  const expected = rows.map(() => new Uint8Array(byteLength));
  codeShards(rows, inputs, expected, start, end);
  for (const coder of CODERS) {
    const outputs = rows.map(() => new Uint8Array(byteLength).fill(0xa5));
    coder.codeShards(rows, inputs, outputs, start, end);
    outputs.forEach((output, o) => {
      // Bytes outside [start, end) must stay as they were.
      const want = expected[o].slice();
      want.fill(0xa5, 0, start);
      want.fill(0xa5, end);
      assertBytesEqual(output, want, `${coder.kind} ${label}: output ${o}`);
    });
  }
}

Deno.test("supportedShardCoderKinds() lists typescript always, simd and relaxed-simd on Deno's V8", () => {
  const kinds = supportedShardCoderKinds();
  console.log(`Shard coders supported here, fastest first: ${kinds.join(", ")}`);
  assert(kinds.at(-1) === "typescript", `typescript must be the last resort, got ${kinds}`);
  assert(kinds.includes("simd"), `Deno 2.9's V8 runs WebAssembly SIMD, got ${kinds}`);
  assert(kinds.includes("relaxed-simd"), `Deno 2.9's V8 runs relaxed SIMD, got ${kinds}`);
});

Deno.test("bestShardCoder() is the fastest supported kind and the same object on every call", () => {
  assert(bestShardCoder() === bestShardCoder(), "The best coder must be shared");
  assert(bestShardCoder().kind === supportedShardCoderKinds()[0], `Got ${bestShardCoder().kind}`);
  assert(createShardCoder("typescript") === TYPESCRIPT_SHARD_CODER, "typescript is the reference coder");
});

Deno.test("every coder writes the reference bytes for 1..20 inputs, 1..10 outputs and odd lengths", () => {
  const random = new SeededRandom(101);
  for (let inputCount = 1; inputCount <= 20; inputCount += random.below(3) + 1) {
    for (let outputCount = 1; outputCount <= 10; outputCount++) {
      const byteLength = LENGTHS[random.below(LENGTHS.length)];
      const inputs = Array.from({ length: inputCount }, () => random.bytes(byteLength));
      const rows = randomRows(random, outputCount, inputCount);
      checkAllCoders(rows, inputs, 0, byteLength, `${inputCount}→${outputCount}, ${byteLength} bytes`);
    }
  }
});

Deno.test("every coder writes the reference bytes for every length around steps and chunks", () => {
  const random = new SeededRandom(102);
  for (const byteLength of LENGTHS) {
    const inputs = Array.from({ length: 6 }, () => random.bytes(byteLength));
    checkAllCoders(randomRows(random, 3, 6), inputs, 0, byteLength, `6→3, ${byteLength} bytes`);
  }
});

Deno.test("every coder codes only [start, end) and reads unaligned subarray views", () => {
  const random = new SeededRandom(103);
  const backing = random.bytes(5 * 70_001 + 3);
  const inputs = [0, 1, 2, 3, 4].map((i) => backing.subarray(3 + i * 70_001, 3 + (i + 1) * 70_001));
  const rows = randomRows(random, 4, 5);
  for (const [start, end] of [[1, 2], [7, 70_000], [17, 33], [32_767, 65_539], [70_000, 70_001], [5, 5]]) {
    checkAllCoders(rows, inputs, start, end, `5→4, bytes [${start}, ${end})`);
  }
});

Deno.test("every coder multiplies by each of the 256 coefficients exactly as the field table does", () => {
  const input = Uint8Array.from({ length: 256 + 7 }, (_, i) => i & 0xff);
  for (let first = 0; first < 256; first += 16) {
    const rows = Array.from({ length: 16 }, (_, r) => Uint8Array.of(first + r));
    checkAllCoders(rows, [input], 0, input.length, `coefficients ${first}..${first + 15}`);
  }
});

Deno.test("every coder codes a 1 MiB + 3 byte stripe of 16 inputs and 8 outputs like the reference", () => {
  const random = new SeededRandom(104);
  const byteLength = 1024 * 1024 + 3;
  const inputs = Array.from({ length: 16 }, () => random.bytes(byteLength));
  checkAllCoders(randomRows(random, 8, 16), inputs, 0, byteLength, `16→8, ${byteLength} bytes`);
});

Deno.test("every coder handles the widest geometry: 128 inputs to 128 outputs", () => {
  const random = new SeededRandom(105);
  const inputs = Array.from({ length: 128 }, () => random.bytes(4099));
  checkAllCoders(randomRows(random, 128, 128), inputs, 0, 4099, "128→128, 4099 bytes");
});
