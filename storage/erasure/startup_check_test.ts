import { assert, AssertionError } from "../core/mod.ts";
import { GOLDEN_VECTORS } from "./golden_vectors.ts";
import { runErasureSelfTest } from "./startup_check.ts";

Deno.test("runErasureSelfTest() passes on this build (prints cold and warm times; no timing assert)", () => {
  let startMs = performance.now();
  runErasureSelfTest();
  const coldMs = performance.now() - startMs;
  startMs = performance.now();
  runErasureSelfTest();
  const warmMs = performance.now() - startMs;
  console.log(`runErasureSelfTest() took ${coldMs.toFixed(2)} ms cold, ${warmMs.toFixed(2)} ms warm`);
});

Deno.test("runErasureSelfTest() throws an AssertionError naming the shard when a parity byte differs", () => {
  const [first] = GOLDEN_VECTORS;
  const wrongParity = ["837e7be6d547c058", ...first.parityHex.slice(1)];
  let thrown: unknown;
  try {
    runErasureSelfTest([{ ...first, parityHex: wrongParity }]);
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof AssertionError, `Expected an AssertionError, got ${String(thrown)}`);
  assert(thrown.message.includes("6+3: parity shard 0 is 937e"), `Unexpected message: ${thrown.message}`);
});
