/**
 * Arithmetic in GF(2^8) with the field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2, the
 * field used by the Reed-Solomon codec. All tables are computed once at module load and never written again.
 */

import { assert } from "../core/mod.ts";

/** The field polynomial, including the x^8 term. */
export const GF_POLYNOMIAL = 0x11d;

/** Number of elements in the field. */
export const GF_ORDER = 256;

/** `GF_EXP[i]` is 2^i; doubled in length so `GF_EXP[log a + log b]` needs no modulo. */
export const GF_EXP: Uint8Array = new Uint8Array(2 * GF_ORDER);

/** `GF_LOG[a]` is the i with 2^i = a, for a != 0; `GF_LOG[0]` is unused (0). */
export const GF_LOG: Uint8Array = new Uint8Array(GF_ORDER);

/** Flat 256×256 product table: `GF_MUL_TABLE[a * 256 + b]` is a·b. */
export const GF_MUL_TABLE: Uint8Array = new Uint8Array(GF_ORDER * GF_ORDER);

/** `GF_MUL_ROWS[c]` is the 256-byte view of `GF_MUL_TABLE` that multiplies by c; the codec's inner loop. */
export const GF_MUL_ROWS: readonly Uint8Array[] = buildTables();

function buildTables(): Uint8Array[] {
  let value = 1;
  for (let power = 0; power < GF_ORDER - 1; power++) {
    GF_EXP[power] = value;
    GF_LOG[value] = power;
    value <<= 1;
    if (value & 0x100) value ^= GF_POLYNOMIAL;
  }
  // The multiplicative group has order 255, so exponents wrap at 255.
  for (let power = GF_ORDER - 1; power < GF_EXP.length; power++) GF_EXP[power] = GF_EXP[power - 255];
  for (let a = 1; a < GF_ORDER; a++) {
    for (let b = 1; b < GF_ORDER; b++) GF_MUL_TABLE[a * GF_ORDER + b] = GF_EXP[GF_LOG[a] + GF_LOG[b]];
  }
  return Array.from(
    { length: GF_ORDER },
    (_, c) => GF_MUL_TABLE.subarray(c * GF_ORDER, (c + 1) * GF_ORDER),
  );
}

/** Addition (and subtraction) in GF(2^8): bitwise XOR. */
export function gfAdd(a: number, b: number): number {
  return a ^ b;
}

/** Product a·b. */
export function gfMul(a: number, b: number): number {
  return GF_MUL_TABLE[(a << 8) | b];
}

/** Quotient a / b; dividing by 0 is a bug and fails an assertion. */
export function gfDiv(a: number, b: number): number {
  assert(b !== 0, `Cannot divide ${a} by 0 in GF(2^8)`);
  if (a === 0) return 0;
  return GF_EXP[GF_LOG[a] + 255 - GF_LOG[b]];
}

/** Multiplicative inverse of a; 0 has none and fails an assertion. */
export function gfInverse(a: number): number {
  return gfDiv(1, a);
}

/** a raised to a non-negative integer power; 0^0 is 1, as the Vandermonde construction needs. */
export function gfPow(a: number, exponent: number): number {
  if (exponent === 0) return 1;
  if (a === 0) return 0;
  return GF_EXP[(GF_LOG[a] * exponent) % 255];
}
