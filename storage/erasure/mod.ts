/**
 * Reed-Solomon erasure coding over GF(2^8): the `ReedSolomon` codec, its start-up self-test and the golden
 * vectors that pin its output.
 */

export { ReedSolomon } from "./reed_solomon.ts";
export { runErasureSelfTest } from "./startup_check.ts";
export { GOLDEN_VECTORS, type GoldenVector } from "./golden_vectors.ts";
