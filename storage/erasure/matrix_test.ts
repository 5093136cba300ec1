import { assert } from "../core/mod.ts";
import { GfMatrix } from "./matrix.ts";
import { SeededRandom, subsetsUpTo } from "./test_helpers.ts";

function randomMatrix(size: number, random: SeededRandom): GfMatrix {
  return new GfMatrix(size, size, random.bytes(size * size));
}

Deno.test("GfMatrix.invert() gives a matrix whose products both ways are the identity", () => {
  const random = new SeededRandom(11);
  let inverted = 0;
  for (let trial = 0; trial < 200; trial++) {
    const size = 1 + random.below(12);
    const matrix = randomMatrix(size, random);
    const inverse = matrix.invert();
    if (inverse === null) continue;
    inverted++;
    assert(matrix.multiply(inverse).equals(GfMatrix.identity(size)), `M·M⁻¹ != I for size ${size}`);
    assert(inverse.multiply(matrix).equals(GfMatrix.identity(size)), `M⁻¹·M != I for size ${size}`);
  }
  assert(inverted > 150, `Only ${inverted} of 200 random matrices were invertible`);
});

Deno.test("GfMatrix.invert() returns null when the matrix is singular", () => {
  const repeatedRow = new GfMatrix(3, 3, Uint8Array.from([1, 2, 3, 4, 5, 6, 1, 2, 3]));
  assert(repeatedRow.invert() === null, "A matrix with two equal rows must not invert");
  assert(new GfMatrix(2, 2).invert() === null, "The zero matrix must not invert");
});

Deno.test("GfMatrix.invert() leaves the original matrix unchanged", () => {
  const matrix = new GfMatrix(2, 2, Uint8Array.from([0, 1, 1, 0]));
  matrix.invert();
  assert(matrix.data.join() === "0,1,1,0", `invert() modified its input: ${matrix.data.join()}`);
});

Deno.test("GfMatrix.vandermonde() has independent rows: every 4 of 9 rows invert", () => {
  const vandermonde = GfMatrix.vandermonde(9, 4);
  for (const rows of subsetsUpTo(9, 4).filter((subset) => subset.length === 4)) {
    assert(vandermonde.selectRows(rows).invert() !== null, `Rows ${rows} of a 9×4 Vandermonde are singular`);
  }
});

Deno.test("GfMatrix.selectRows() copies the chosen rows in order", () => {
  const matrix = new GfMatrix(3, 2, Uint8Array.from([1, 2, 3, 4, 5, 6]));
  const selected = matrix.selectRows([2, 0]);
  assert(selected.rows === 2 && selected.data.join() === "5,6,1,2", `Got ${selected.data.join()}`);
});

Deno.test("GfMatrix.multiply() by the identity returns an equal matrix", () => {
  const matrix = new GfMatrix(2, 3, Uint8Array.from([9, 8, 7, 6, 5, 4]));
  assert(matrix.multiply(GfMatrix.identity(3)).equals(matrix), "M·I != M");
  assert(GfMatrix.identity(2).multiply(matrix).equals(matrix), "I·M != M");
});
