/**
 * The WebAssembly SIMD kernel of the erasure codec: its modules as bytes. The source is gf_kernel.wat;
 * `deno task build:wasm` (build.ts) regenerates the committed binaries from it.
 */

export { kernelBinary, type KernelVariant } from "./kernel_binaries.ts";
