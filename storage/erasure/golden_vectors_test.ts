import { assert } from "../core/mod.ts";
import { GOLDEN_VECTORS, goldenHexToBytes } from "./golden_vectors.ts";
import { ReedSolomon } from "./reed_solomon.ts";
import { assertBytesEqual } from "./test_helpers.ts";

Deno.test("ReedSolomon.encode() reproduces the parity of every golden vector exactly", () => {
  for (const vector of GOLDEN_VECTORS) {
    const data = vector.dataHex.map(goldenHexToBytes);
    const shards = [...data, ...vector.parityHex.map(() => new Uint8Array(data[0].length))];
    new ReedSolomon(vector.dataShards, vector.parityShards).encode(shards);
    vector.parityHex.forEach((hex, p) => {
      const label = `${vector.dataShards}+${vector.parityShards} parity ${p}`;
      assertBytesEqual(shards[vector.dataShards + p], goldenHexToBytes(hex), label);
    });
  }
});

Deno.test("GOLDEN_VECTORS data follows the documented pattern (i * 37 + j * 11 + 5) & 0xff", () => {
  for (const vector of GOLDEN_VECTORS) {
    assert(
      vector.dataHex.length === vector.dataShards,
      `${vector.dataShards}+${vector.parityShards}: data count`,
    );
    assert(
      vector.parityHex.length === vector.parityShards,
      `${vector.dataShards}+${vector.parityShards}: parity`,
    );
    vector.dataHex.forEach((hex, i) => {
      const bytes = goldenHexToBytes(hex);
      bytes.forEach((byte, j) =>
        assert(byte === ((i * 37 + j * 11 + 5) & 0xff), `Data ${i} byte ${j} is ${byte}`)
      );
    });
  }
});

Deno.test("goldenHexToBytes() decodes lower-case hex and rejects odd or non-hex input", () => {
  assert(goldenHexToBytes("00ff7a").join() === "0,255,122", "Wrong bytes");
  for (const bad of ["abc", "zz", "AB"]) {
    let threw = false;
    try {
      goldenHexToBytes(bad);
    } catch {
      threw = true;
    }
    assert(threw, `"${bad}" must be rejected`);
  }
});
