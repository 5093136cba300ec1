import { assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { checksummedStream, multipartChecksumOf } from "./object_checksums.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";

Deno.test("multipartChecksumOf: the algorithm and type combinations S3 allows", () => {
  const of = (headers: Record<string, string>) => multipartChecksumOf(new Headers(headers));
  assertEquals(of({}), undefined);
  assertEquals(of({ "x-amz-checksum-algorithm": "CRC32" }), { algorithm: "crc32", type: "COMPOSITE" });
  assertEquals(of({ "x-amz-checksum-algorithm": "crc32c", "x-amz-checksum-type": "FULL_OBJECT" }), {
    algorithm: "crc32c",
    type: "FULL_OBJECT",
  });
  assertEquals(of({ "x-amz-checksum-algorithm": "CRC64NVME" }), {
    algorithm: "crc64nvme",
    type: "FULL_OBJECT",
  });
  assertEquals(of({ "x-amz-checksum-algorithm": "SHA256" }), { algorithm: "sha256", type: "COMPOSITE" });
  for (
    const bad of <Record<string, string>[]> [
      { "x-amz-checksum-algorithm": "MD5" },
      { "x-amz-checksum-type": "COMPOSITE" },
      { "x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT" },
      { "x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE" },
      { "x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "PARTIAL" },
    ]
  ) {
    assertEquals(thrownS3Code(() => of(bad)), "InvalidRequest", JSON.stringify(bad));
  }
});

Deno.test("checksummedStream: passes the bytes through and knows their checksum at the end", async () => {
  const bytes = new TextEncoder().encode("123456789");
  const { body, digest } = checksummedStream(new Blob([bytes]).stream(), "crc32");
  assertThrows(() => digest());
  assertEquals(new Uint8Array(await new Response(body).arrayBuffer()), bytes);
  assertEquals(Array.from(digest()), [0xcb, 0xf4, 0x39, 0x26]); // the catalogued CRC32 check value
});
