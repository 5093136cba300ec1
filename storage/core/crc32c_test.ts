import assert from "node:assert/strict";
import { crc32c } from "./crc32c.ts";

const encoder = new TextEncoder();

/** Bit-at-a-time reference, independent of the sliced tables. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

Deno.test("crc32c() gives the standard check value for 123456789", () => {
  assert.equal(crc32c(encoder.encode("123456789")), 0xe3069283);
});

Deno.test("crc32c() of no bytes is 0", () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c() matches RFC 3720 vectors (32 zero bytes, 32 0xff bytes, 0..31)", () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
});

Deno.test("crc32c() continues from a previous value across every split point", () => {
  const bytes = Uint8Array.from({ length: 67 }, (_, i) => (i * 37 + 11) & 0xff);
  const whole = crc32c(bytes);
  for (let split = 0; split <= bytes.length; split++) {
    assert.equal(crc32c(bytes.subarray(split), crc32c(bytes.subarray(0, split))), whole, `split ${split}`);
  }
});

Deno.test("crc32c() agrees with a bitwise reference on every length up to 40 and on 1 MiB", () => {
  for (let length = 0; length <= 40; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length) & 0xff);
    assert.equal(crc32c(bytes), crc32cBitwise(bytes), `length ${length}`);
  }
  const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i ^ (i >>> 7)) & 0xff);
  assert.equal(crc32c(big), crc32cBitwise(big));
});
