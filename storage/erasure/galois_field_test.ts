import { assert, AssertionError } from "../core/mod.ts";
import {
  GF_EXP,
  GF_LOG,
  GF_MUL_ROWS,
  GF_MUL_TABLE,
  gfAdd,
  gfDiv,
  gfInverse,
  gfMul,
  gfPow,
} from "./galois_field.ts";

/** Table-free shift-and-add multiply reducing by 0x11D: the independent reference for the tables. */
function slowMul(a: number, b: number): number {
  let product = 0;
  while (b !== 0) {
    if (b & 1) product ^= a;
    b >>= 1;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
  }
  return product;
}

Deno.test("gfMul() matches shift-and-add multiplication for all 256×256 pairs", () => {
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      assert(gfMul(a, b) === slowMul(a, b), `gfMul(${a}, ${b}) is ${gfMul(a, b)}, expected ${slowMul(a, b)}`);
    }
  }
});

Deno.test("gfMul() is commutative, has identity 1 and absorbing 0 for all pairs", () => {
  for (let a = 0; a < 256; a++) {
    assert(gfMul(a, 1) === a && gfMul(1, a) === a, `1 is not the identity for ${a}`);
    assert(gfMul(a, 0) === 0 && gfMul(0, a) === 0, `0 does not absorb ${a}`);
    for (let b = 0; b < 256; b++) assert(gfMul(a, b) === gfMul(b, a), `gfMul(${a}, ${b}) is not commutative`);
  }
});

Deno.test("gfMul() is associative and distributes over gfAdd() for all triples", () => {
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const ab = gfMul(a, b);
      for (let c = 0; c < 256; c++) {
        if (gfMul(ab, c) !== gfMul(a, gfMul(b, c))) assert(false, `(${a}·${b})·${c} != ${a}·(${b}·${c})`);
        if (gfMul(a, gfAdd(b, c)) !== (ab ^ gfMul(a, c))) {
          assert(false, `${a}·(${b}+${c}) != ${a}·${b}+${a}·${c}`);
        }
      }
    }
  }
});

Deno.test("gfDiv() undoes gfMul() for all a and every nonzero b", () => {
  for (let a = 0; a < 256; a++) {
    for (let b = 1; b < 256; b++) {
      assert(gfMul(gfDiv(a, b), b) === a, `gfDiv(${a}, ${b}) · ${b} is not ${a}`);
      assert(gfDiv(gfMul(a, b), b) === a, `gfDiv(${a}·${b}, ${b}) is not ${a}`);
    }
  }
});

Deno.test("gfInverse() gives the unique inverse of every nonzero element", () => {
  for (let a = 1; a < 256; a++) {
    const inverse = gfInverse(a);
    assert(gfMul(a, inverse) === 1, `${a} · gfInverse(${a}) = ${gfMul(a, inverse)}, expected 1`);
    let count = 0;
    for (let b = 0; b < 256; b++) if (gfMul(a, b) === 1) count++;
    assert(count === 1, `${a} has ${count} inverses, expected 1`);
  }
});

Deno.test("gfDiv() and gfInverse() fail an assertion when dividing by 0", () => {
  for (const run of [() => gfDiv(7, 0), () => gfInverse(0)]) {
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof AssertionError, `Expected an AssertionError, got ${String(thrown)}`);
  }
});

Deno.test("GF_EXP lists every nonzero element once, so 2 generates the field, and GF_LOG inverts it", () => {
  const seen = new Set<number>();
  for (let power = 0; power < 255; power++) {
    seen.add(GF_EXP[power]);
    assert(GF_LOG[GF_EXP[power]] === power, `GF_LOG[GF_EXP[${power}]] is not ${power}`);
    assert(GF_EXP[power + 255] === GF_EXP[power], `GF_EXP does not wrap at ${power + 255}`);
  }
  assert(seen.size === 255 && !seen.has(0), `2 generates ${seen.size} elements, expected 255 nonzero`);
});

Deno.test("GF_MUL_ROWS[c] is the multiply-by-c slice of GF_MUL_TABLE", () => {
  assert(GF_MUL_ROWS.length === 256, `Expected 256 rows, got ${GF_MUL_ROWS.length}`);
  for (let c = 0; c < 256; c++) {
    assert(GF_MUL_ROWS[c].buffer === GF_MUL_TABLE.buffer, `Row ${c} copies the table instead of viewing it`);
    for (let b = 0; b < 256; b++) {
      assert(GF_MUL_ROWS[c][b] === slowMul(c, b), `GF_MUL_ROWS[${c}][${b}] is wrong`);
    }
  }
});

Deno.test("gfPow() matches repeated multiplication, with 0^0 = 1", () => {
  for (let a = 0; a < 256; a++) {
    let expected = 1;
    for (let exponent = 0; exponent < 300; exponent++) {
      assert(
        gfPow(a, exponent) === expected,
        `gfPow(${a}, ${exponent}) is ${gfPow(a, exponent)}, expected ${expected}`,
      );
      expected = slowMul(expected, a);
    }
  }
});
