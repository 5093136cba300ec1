/**
 * CRC-64/NVME (S3's `x-amz-checksum-crc64nvme`: reflected polynomial 0x9A6C9329AC4BC9B5, initial value
 * and final XOR all ones), table-driven with the 64-bit state kept in two 32-bit halves so the loop
 * never touches BigInt. It continues from a previous value, so streams can be checksummed in pieces.
 */

/** The reflected polynomial, high and low halves. */
const POLY_HIGH = 0x9a6c9329;
const POLY_LOW = 0xac4bc9b5;

/** `TABLE_HIGH[b]`, `TABLE_LOW[b]`: the CRC of byte `b` (one step of the byte-wise algorithm). */
const TABLE_HIGH = new Uint32Array(256);
const TABLE_LOW = new Uint32Array(256);
for (let byte = 0; byte < 256; byte++) {
  let high = 0;
  let low = byte;
  for (let bit = 0; bit < 8; bit++) {
    const carry = low & 1;
    low = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    high = high >>> 1;
    if (carry) {
      high = (high ^ POLY_HIGH) >>> 0;
      low = (low ^ POLY_LOW) >>> 0;
    }
  }
  TABLE_HIGH[byte] = high;
  TABLE_LOW[byte] = low;
}

/** A running CRC-64/NVME. */
export class Crc64Nvme {
  // The register, pre-inverted (initial value all ones).
  #high = 0xffffffff;
  #low = 0xffffffff;

  /** Adds `bytes`. */
  update(bytes: Uint8Array): void {
    let high = this.#high;
    let low = this.#low;
    const th = TABLE_HIGH;
    const tl = TABLE_LOW;
    for (let i = 0; i < bytes.length; i++) {
      const index = (low ^ bytes[i]) & 0xff;
      // (register >>> 8) ^ table[index], across the two halves.
      low = ((low >>> 8) | (high << 24)) ^ tl[index];
      high = (high >>> 8) ^ th[index];
    }
    this.#high = high >>> 0;
    this.#low = low >>> 0;
  }

  /** The big-endian 8-byte digest of everything added so far. */
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.#high >>> 0);
    view.setUint32(4, ~this.#low >>> 0);
    return out;
  }
}

/** CRC-64/NVME of `bytes` as a big-endian 8-byte digest. */
export function crc64nvme(bytes: Uint8Array): Uint8Array {
  const crc = new Crc64Nvme();
  crc.update(bytes);
  return crc.digest();
}
