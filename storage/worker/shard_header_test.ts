import { assertEquals } from "./test_assert.ts";
import { toHex } from "../core/mod.ts";
import { decodeShardHeader, encodeShardHeader, SHARD_HEADER_BYTES } from "./shard_header.ts";

const HEADER = {
  dataId: "00112233445566778899aabbccddeeff",
  shardIndex: 7,
  blockSizeBytes: 1024 * 1024,
  dataLength: 5_000_000_001,
};

Deno.test("encodeShardHeader() lays out magic, version, index, block size, length and data id", () => {
  const bytes = encodeShardHeader(HEADER);
  assertEquals(bytes.length, SHARD_HEADER_BYTES);
  assertEquals(
    toHex(bytes.subarray(0, 40)),
    "4f424a5348415244" + "0001" + "07" + "00" + "00100000" + "000000012a05f201" +
      "00112233445566778899aabbccddeeff",
  );
  assertEquals(toHex(bytes.subarray(40, 60)), "00".repeat(20));
});

Deno.test("decodeShardHeader() reads back what encodeShardHeader() wrote", () => {
  assertEquals(decodeShardHeader(encodeShardHeader(HEADER)), { ok: true, header: HEADER });
});

Deno.test("decodeShardHeader() refuses a header with any flipped byte", () => {
  const good = encodeShardHeader(HEADER);
  for (let i = 0; i < SHARD_HEADER_BYTES; i++) {
    const bad = good.slice();
    bad[i] ^= 0x01;
    assertEquals(decodeShardHeader(bad).ok, false, `byte ${i}`);
  }
});

Deno.test("decodeShardHeader() refuses a short header", () => {
  const decoded = decodeShardHeader(new Uint8Array(10));
  assertEquals(decoded, { ok: false, reason: "expected a 64-byte header, got 10 bytes" });
});
