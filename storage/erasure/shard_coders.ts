/**
 * Chooses the implementation of the codec's hot loop: the relaxed-SIMD kernel where the runtime validates
 * it, the plain-SIMD kernel otherwise, and the TypeScript loop where WebAssembly SIMD is missing. All three
 * write identical bytes, so the choice changes speed only.
 */

import { kernelBinary, type KernelVariant } from "./wasm/mod.ts";
import { type ShardCoder, type ShardCoderKind, TYPESCRIPT_SHARD_CODER } from "./shard_coder.ts";
import { WasmShardCoder } from "./wasm_shard_coder.ts";

/** Every kind, fastest first. */
export const SHARD_CODER_KINDS: readonly ShardCoderKind[] = ["relaxed-simd", "simd", "typescript"];

/**
 * The coder every `ReedSolomon` of this thread uses: the fastest supported kind, created on first use.
 * Module state on purpose: each WebAssembly memory reserves gigabytes of address space, so one instance
 * per codec would run out of it, and sharing is invisible because the kernel's memory is scratch that
 * every call rewrites before it reads, and calls are synchronous, so they never interleave.
 */
let sharedCoder: ShardCoder | undefined;

/** A new coder of `kind`, or null when this runtime cannot run that kind (no SIMD, no relaxed SIMD). */
export function createShardCoder(kind: ShardCoderKind): ShardCoder | null {
  if (kind === "typescript") return TYPESCRIPT_SHARD_CODER;
  const variant: KernelVariant = kind === "simd" ? "simd" : "relaxed";
  const bytes = kernelBinary(variant);
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return null;
  return new WasmShardCoder(kind, new WebAssembly.Module(bytes));
}

/** The kinds this runtime can run, fastest first; "typescript" is always among them. */
export function supportedShardCoderKinds(): ShardCoderKind[] {
  return SHARD_CODER_KINDS.filter((kind) => kind === "typescript" || kernelValidates(kind));
}

/** The fastest coder this runtime supports, shared by every codec of the thread (see `sharedCoder`). */
export function bestShardCoder(): ShardCoder {
  if (sharedCoder === undefined) {
    sharedCoder = createShardCoder("relaxed-simd") ?? createShardCoder("simd") ?? TYPESCRIPT_SHARD_CODER;
  }
  return sharedCoder;
}

function kernelValidates(kind: "relaxed-simd" | "simd"): boolean {
  return typeof WebAssembly === "object" &&
    WebAssembly.validate(kernelBinary(kind === "simd" ? "simd" : "relaxed"));
}
