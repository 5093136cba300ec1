/**
 * Combining CRCs: the CRC of A followed by B from crc(A), crc(B) and the length of B, without the bytes
 * (the zlib method: multiply by the matrix of "append one zero bit", squared per length bit). Works for any
 * reflected CRC with all-ones initial value and final XOR, so for CRC32, CRC32C and CRC-64/NVME. It is what
 * a multipart upload's FULL_OBJECT checksum needs: the whole object's CRC from its parts' CRCs.
 */

/** A reflected CRC: width in bits and polynomial (reversed form). */
export interface CrcSpec {
  readonly width: 32 | 64;
  readonly polynomial: bigint;
}

/** CRC32 (`x-amz-checksum-crc32`). */
export const CRC32_SPEC: CrcSpec = { width: 32, polynomial: 0xedb88320n };
/** CRC32C (`x-amz-checksum-crc32c`). */
export const CRC32C_SPEC: CrcSpec = { width: 32, polynomial: 0x82f63b78n };
/** CRC-64/NVME (`x-amz-checksum-crc64nvme`). */
export const CRC64NVME_SPEC: CrcSpec = { width: 64, polynomial: 0x9a6c9329ac4bc9b5n };

function times(matrix: bigint[], vector: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vector !== 0n; i++, vector >>= 1n) if (vector & 1n) sum ^= matrix[i];
  return sum;
}

function square(matrix: bigint[]): bigint[] {
  return matrix.map((column) => times(matrix, column));
}

/** The CRC of the concatenation of two byte strings, from `crcA`, `crcB` and B's length in bytes. */
export function combineCrc(spec: CrcSpec, crcA: bigint, crcB: bigint, lengthB: number): bigint {
  if (lengthB === 0) return crcA;
  const width = spec.width;
  // odd: the operator for one zero bit; even: for two; then squared on to 4, 8, ... zero bits.
  let odd: bigint[] = [spec.polynomial];
  for (let i = 1, row = 1n; i < width; i++, row <<= 1n) odd.push(row);
  let even = square(odd);
  odd = square(even);
  let crc = crcA;
  let length = BigInt(lengthB);
  while (true) {
    even = square(odd);
    if (length & 1n) crc = times(even, crc);
    length >>= 1n;
    if (length === 0n) break;
    odd = square(even);
    if (length & 1n) crc = times(odd, crc);
    length >>= 1n;
    if (length === 0n) break;
  }
  return crc ^ crcB;
}

/** A big-endian digest as an unsigned integer. */
export function digestToBigInt(digest: Uint8Array): bigint {
  let value = 0n;
  for (const byte of digest) value = (value << 8n) | BigInt(byte);
  return value;
}

/** An unsigned integer as a big-endian digest of `bytes` bytes. */
export function bigIntToDigest(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}
