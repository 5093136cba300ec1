/**
 * The fixed 64-byte header at the start of every shard file, before its frames. All integers are
 * big-endian. The header names the shard it belongs to, so a file renamed or copied to the wrong
 * place is detected, and ends with a CRC32 of the bytes before it, so a damaged header is detected.
 *
 *   0  8 bytes  magic "OBJSHARD"
 *   8  u16      format version (1)
 *  10  u8       shard index
 *  11  u8       reserved, 0
 *  12  u32      block size in bytes
 *  16  u64      data length in bytes
 *  24  16 bytes data id
 *  40  20 bytes reserved, 0
 *  60  u32      CRC32 of bytes 0..60
 *
 * A newer format bumps the version; readers refuse versions they do not know.
 */

import { crc32, fromHex, MAX_BLOCK_BYTES, toHex, utf8 } from "../core/mod.ts";
import type { ShardName } from "./shard_name.ts";

/** Size of the header at the start of every shard file. */
export const SHARD_HEADER_BYTES = 64;

/** Format version this code writes and reads. */
export const SHARD_FORMAT_VERSION = 1;

const MAGIC = utf8("OBJSHARD");
const CHECKSUM_OFFSET = 60;

/** What a shard file header records. */
export interface ShardHeader extends ShardName {
  /** Block size of the shard's frames. */
  readonly blockSizeBytes: number;
  /** Length of the shard's data, without checksums. */
  readonly dataLength: number;
}

/** Encodes a header into a new 64-byte buffer. */
export function encodeShardHeader(header: ShardHeader): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(SHARD_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint16(8, SHARD_FORMAT_VERSION);
  view.setUint8(10, header.shardIndex);
  view.setUint32(12, header.blockSizeBytes);
  view.setBigUint64(16, BigInt(header.dataLength));
  bytes.set(fromHex(header.dataId), 24);
  view.setUint32(CHECKSUM_OFFSET, crc32(bytes.subarray(0, CHECKSUM_OFFSET)));
  return bytes;
}

/** A header, or the reason the bytes are not a valid header. */
export type DecodedShardHeader = { ok: true; header: ShardHeader } | { ok: false; reason: string };

/** Decodes and checks a 64-byte header; never throws on bad bytes. */
export function decodeShardHeader(bytes: Uint8Array): DecodedShardHeader {
  if (bytes.length !== SHARD_HEADER_BYTES) {
    return { ok: false, reason: `expected a ${SHARD_HEADER_BYTES}-byte header, got ${bytes.length} bytes` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(CHECKSUM_OFFSET);
  const actual = crc32(bytes.subarray(0, CHECKSUM_OFFSET));
  if (stored !== actual) {
    return {
      ok: false,
      reason: `header checksum is ${stored.toString(16)}, computed ${actual.toString(16)}`,
    };
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) return { ok: false, reason: "magic is not OBJSHARD" };
  }
  const version = view.getUint16(8);
  if (version !== SHARD_FORMAT_VERSION) {
    return { ok: false, reason: `format version is ${version}, this worker reads ${SHARD_FORMAT_VERSION}` };
  }
  const blockSizeBytes = view.getUint32(12);
  if (blockSizeBytes < 1 || blockSizeBytes > MAX_BLOCK_BYTES) {
    return { ok: false, reason: `block size ${blockSizeBytes} is outside 1..${MAX_BLOCK_BYTES}` };
  }
  const dataLength = view.getBigUint64(16);
  if (dataLength > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `data length ${dataLength} is too large` };
  }
  return {
    ok: true,
    header: {
      dataId: toHex(bytes.subarray(24, 40)),
      shardIndex: view.getUint8(10),
      blockSizeBytes,
      dataLength: Number(dataLength),
    },
  };
}
