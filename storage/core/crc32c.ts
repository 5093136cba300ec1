/**
 * CRC32C (Castagnoli, as S3's `x-amz-checksum-crc32c`), table-driven with slicing-by-8: eight bytes
 * per step through eight 256-entry tables, so the loop does one table look-up per input byte and
 * no per-bit work. It continues from a previous value, so streams can be checksummed in pieces.
 */

/** Reflected CRC32C polynomial (0x1EDC6F41 bit-reversed). */
const POLYNOMIAL = 0x82f63b78;
/** Bytes consumed per step of the main loop (one table per byte position). */
const SLICE_BYTES = 8;

/**
 * The eight lookup tables, one after another: `table[k * 256 + b]` is the CRC of byte `b` followed by
 * `k` zero bytes. Built once at load and never written afterwards.
 */
const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(SLICE_BYTES * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    table[byte] = crc >>> 0;
  }
  for (let slice = 1; slice < SLICE_BYTES; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const previous = table[(slice - 1) * 256 + byte];
      table[slice * 256 + byte] = ((previous >>> 8) ^ table[previous & 0xff]) >>> 0;
    }
  }
  return table;
}

/** CRC32C of `bytes`, continuing from `previous` (the CRC of the bytes before them; 0 to start). */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  const t = TABLE;
  let crc = ~previous >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length % SLICE_BYTES);
  while (i < end8) {
    const low = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ crc;
    const high = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    crc = t[7 * 256 + (low & 0xff)] ^ t[6 * 256 + ((low >>> 8) & 0xff)] ^
      t[5 * 256 + ((low >>> 16) & 0xff)] ^ t[4 * 256 + (low >>> 24)] ^
      t[3 * 256 + (high & 0xff)] ^ t[2 * 256 + ((high >>> 8) & 0xff)] ^
      t[256 + ((high >>> 16) & 0xff)] ^ t[high >>> 24];
    i += SLICE_BYTES;
  }
  for (; i < bytes.length; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
