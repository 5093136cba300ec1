import { assert } from "../../core/mod.ts";
import { assembleKernels, buildKernelFiles, KERNEL_FILE_NAMES } from "./build.ts";
import { kernelBinary } from "./mod.ts";

const HERE = new URL("./", import.meta.url);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

Deno.test("build.ts regenerates every committed kernel file byte for byte", async () => {
  const directory = await Deno.makeTempDir({ prefix: "gf_kernel_build_" });
  await using _cleanup = { [Symbol.asyncDispose]: () => Deno.remove(directory, { recursive: true }) };
  await buildKernelFiles(new URL(`file://${directory}/`));
  for (const name of KERNEL_FILE_NAMES) {
    const rebuilt = await Deno.readFile(`${directory}/${name}`);
    const committed = await Deno.readFile(new URL(name, HERE));
    assert(
      sameBytes(rebuilt, committed),
      `${name}: the build wrote ${rebuilt.length} bytes that differ from the ${committed.length} committed; ` +
        "run `deno task build:wasm` and commit the result",
    );
  }
});

Deno.test("kernelBinary() decodes exactly the committed .wasm files", async () => {
  for (const variant of ["simd", "relaxed"] as const) {
    const committed = await Deno.readFile(new URL(`gf_kernel_${variant}.wasm`, HERE));
    assert(sameBytes(kernelBinary(variant), committed), `gf_kernel_${variant}.wasm differs from its base64`);
  }
});

Deno.test("assembleKernels() gives a plain module that validates here and a relaxed one that differs", async () => {
  const source = await Deno.readTextFile(new URL("gf_kernel.wat", HERE));
  const { simd, relaxed } = await assembleKernels(source);
  assert(WebAssembly.validate(simd), "The plain SIMD kernel must validate on Deno's V8");
  assert(!sameBytes(simd, relaxed), "The relaxed kernel must differ from the plain one");
  assert(relaxed.length > simd.length, "relaxed_swizzle has a longer opcode than swizzle");
});

Deno.test("assembleKernels() rejects a source without i8x16.swizzle or already relaxed", async () => {
  for (const source of ["(module)", "(module) ;; i8x16.swizzle in a comment only", "i8x16.relaxed_swizzle"]) {
    let thrown: unknown;
    try {
      await assembleKernels(source);
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof Error && thrown.message.includes("i8x16.swizzle"), `Accepted ${source}`);
  }
});
