import assert from "node:assert/strict";
import { toBase64 } from "../../storage/core/mod.ts";
import { checksumAlgorithmOf, createChecksum, decodeChecksumValue } from "./checksum_algorithms.ts";

const text = new TextEncoder().encode("hello world");

Deno.test("createChecksum() digests match known values for hello world", () => {
  const expected: Record<string, string> = {
    crc32: "DUoRhQ==",
    crc32c: "yZRlqg==",
    sha1: "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
    sha256: "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
  };
  for (const [algorithm, base64] of Object.entries(expected)) {
    const checksum = createChecksum(checksumAlgorithmOf(`x-amz-checksum-${algorithm}`)!);
    checksum.update(text.subarray(0, 4));
    checksum.update(text.subarray(4));
    assert.equal(toBase64(checksum.digest()), base64, algorithm);
  }
});

Deno.test("decodeChecksumValue() accepts exact base64 of the digest size only", () => {
  assert.deepEqual(decodeChecksumValue("crc32", "DUoRhQ=="), Uint8Array.of(0x0d, 0x4a, 0x11, 0x85));
  for (
    const bad of [
      "DUoRhQ=",
      "DUoRhQ",
      "DUoRhQ==x",
      "DUoRhQ=A",
      "!!!!!!==",
      "",
      "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
    ]
  ) {
    assert.equal(decodeChecksumValue("crc32", bad), null, bad);
  }
});

Deno.test("checksumAlgorithmOf() knows the five algorithms and nothing else", () => {
  assert.equal(checksumAlgorithmOf("X-Amz-Checksum-CRC32C"), "crc32c");
  assert.equal(checksumAlgorithmOf("x-amz-checksum-crc64nvme"), "crc64nvme");
  assert.equal(checksumAlgorithmOf("x-amz-checksum-md5"), null);
  assert.equal(checksumAlgorithmOf("x-amz-checksum-type"), null);
});
