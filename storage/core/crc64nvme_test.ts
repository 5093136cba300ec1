import { assertEquals } from "../../tests/support/asserts.ts";
import { crc32 } from "./checksum.ts";
import { crc32c } from "./crc32c.ts";
import { Crc64Nvme, crc64nvme } from "./crc64nvme.ts";
import {
  bigIntToDigest,
  combineCrc,
  CRC32_SPEC,
  CRC32C_SPEC,
  CRC64NVME_SPEC,
  digestToBigInt,
} from "./crc_combine.ts";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const CHECK = new TextEncoder().encode("123456789");

Deno.test("crc64nvme: the catalogued check value, the empty string, and any split into pieces", () => {
  assertEquals(hex(crc64nvme(CHECK)), "ae8b14860a799888");
  assertEquals(hex(crc64nvme(new Uint8Array(0))), "0000000000000000");
  const data = new Uint8Array(10_000).map((_, i) => (i * 131 + 17) & 0xff);
  const whole = hex(crc64nvme(data));
  for (const cut of [1, 7, 4096, 9_999]) {
    const running = new Crc64Nvme();
    running.update(data.subarray(0, cut));
    running.update(data.subarray(cut));
    assertEquals(hex(running.digest()), whole, `cut at ${cut}`);
  }
});

Deno.test("combineCrc: the CRC of A+B from crc(A), crc(B) and |B|, for all three CRCs", () => {
  const data = new Uint8Array(70_000).map((_, i) => (i * 7919 + 3) & 0xff);
  for (const cut of [0, 1, 1000, 65_536, 69_999]) {
    const a = data.subarray(0, cut);
    const b = data.subarray(cut);
    const lengthB = b.length;
    const c32 = combineCrc(CRC32_SPEC, BigInt(crc32(a)), BigInt(crc32(b)), lengthB);
    assertEquals(c32, BigInt(crc32(data)), `crc32 at ${cut}`);
    const c32c = combineCrc(CRC32C_SPEC, BigInt(crc32c(a)), BigInt(crc32c(b)), lengthB);
    assertEquals(c32c, BigInt(crc32c(data)), `crc32c at ${cut}`);
    const c64 = combineCrc(
      CRC64NVME_SPEC,
      digestToBigInt(crc64nvme(a)),
      digestToBigInt(crc64nvme(b)),
      lengthB,
    );
    assertEquals(hex(bigIntToDigest(c64, 8)), hex(crc64nvme(data)), `crc64nvme at ${cut}`);
  }
});
