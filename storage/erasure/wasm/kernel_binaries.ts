/** The committed GF(2^8) kernel modules as bytes, decoded from the base64 that build.ts generates. */

import { GF_KERNEL_RELAXED_BASE64, GF_KERNEL_SIMD_BASE64 } from "./gf_kernel_wasm.ts";

/** Which build of gf_kernel.wat: plain SIMD (`i8x16.swizzle`) or relaxed SIMD (`i8x16.relaxed_swizzle`). */
export type KernelVariant = "simd" | "relaxed";

/** The bytes of one kernel module, exactly those of gf_kernel_<variant>.wasm. A new array on every call. */
export function kernelBinary(variant: KernelVariant): Uint8Array<ArrayBuffer> {
  const base64 = variant === "simd" ? GF_KERNEL_SIMD_BASE64 : GF_KERNEL_RELAXED_BASE64;
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
