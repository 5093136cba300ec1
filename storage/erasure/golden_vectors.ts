/**
 * Fixed inputs and their exact parity bytes, the codec's compatibility contract: parity already on disk must
 * keep decoding, so these bytes must never change.
 *
 * How they were derived: data shard i, byte j is `(i * 37 + j * 11 + 5) & 0xff`. The parity was computed by a
 * separate from-scratch Python reference (bitwise shift-and-add multiply reducing by 0x11D, inverses as
 * a^254, Gauss-Jordan inversion, no lookup tables) that builds the (k+m)×k Vandermonde matrix (entry r^c,
 * 0^0 = 1), multiplies it by the inverse of its top k×k square to make it systematic, and multiplies the
 * data by the parity rows. This TypeScript codec reproduced every byte independently.
 */

/** One golden vector: a geometry, its data shards and the parity shards the codec must produce (hex). */
export interface GoldenVector {
  /** Number of data shards (k). */
  readonly dataShards: number;
  /** Number of parity shards (m). */
  readonly parityShards: number;
  /** The k data shards, hex. */
  readonly dataHex: readonly string[];
  /** The m expected parity shards, hex. */
  readonly parityHex: readonly string[];
}

const DATA_HEX: readonly string[] = [
  "05101b26313c4752",
  "2a35404b56616c77",
  "4f5a65707b86919c",
  "747f8a95a0abb6c1",
  "99a4afbac5d0dbe6",
  "bec9d4dfeaf5000b",
  "e3eef9040f1a2530",
  "08131e29343f4a55",
  "2d38434e59646f7a",
  "525d68737e89949f",
];

/** Golden vectors covering the default 6+3, small and wide geometries, m > k, and k = 1. */
export const GOLDEN_VECTORS: readonly GoldenVector[] = [
  {
    dataShards: 6,
    parityShards: 3,
    dataHex: DATA_HEX.slice(0, 6),
    parityHex: ["937e7be6d547c058", "a013b40b461217cd", "a35430177c945373"],
  },
  {
    dataShards: 4,
    parityShards: 2,
    dataHex: DATA_HEX.slice(0, 4),
    parityHex: ["cc8485f24adb3cd7", "9ba1418882bb3fff"],
  },
  {
    dataShards: 10,
    parityShards: 4,
    dataHex: DATA_HEX,
    parityHex: ["894ba8c9af9ca2b2", "099c7d5ab16fad8e", "c5356be8b1ecae95", "3ae886fc0629b3d6"],
  },
  {
    dataShards: 1,
    parityShards: 1,
    dataHex: DATA_HEX.slice(0, 1),
    parityHex: ["05101b26313c4752"],
  },
  {
    dataShards: 3,
    parityShards: 5,
    dataHex: DATA_HEX.slice(0, 3),
    parityHex: [
      "607f3e1d1cdbbab9",
      "c184e0808f55ccf9",
      "eea1bbede808e7dc",
      "8bce9ed6c5ef1a37",
      "a4ebc5bba2b23112",
    ],
  },
  {
    dataShards: 17,
    parityShards: 3,
    dataHex: [
      "05101b26",
      "2a35404b",
      "4f5a6570",
      "747f8a95",
      "99a4afba",
      "bec9d4df",
      "e3eef904",
      "08131e29",
      "2d38434e",
      "525d6873",
      "77828d98",
      "9ca7b2bd",
      "c1ccd7e2",
      "e6f1fc07",
      "0b16212c",
      "303b4651",
      "55606b76",
    ],
    parityHex: ["d1f23440", "7295373b", "03e152a9"],
  },
];

/** Bytes of a lower-case hex string from the table above; odd length or a non-hex digit is a bug. */
export function goldenHexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
    throw new TypeError(`Expected even-length lower-case hex, got ${JSON.stringify(hex.slice(0, 40))}`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
