/**
 * Small dense matrices over GF(2^8): just what building encoding and decoding matrices needs. Sizes are at
 * most 256×256, so plain loops are fine; none of this runs per byte of data.
 */

import { assert } from "../core/mod.ts";
import { GF_MUL_TABLE, gfDiv, gfPow } from "./galois_field.ts";

/** A rows×columns matrix over GF(2^8), stored row-major in one byte array. */
export class GfMatrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly columns: number;
  /** Row-major entries: entry (r, c) is `data[r * columns + c]`. */
  readonly data: Uint8Array;

  constructor(rows: number, columns: number, data?: Uint8Array) {
    assert(Number.isInteger(rows) && rows >= 0, `Matrix rows must be a non-negative integer, got ${rows}`);
    assert(
      Number.isInteger(columns) && columns >= 0,
      `Matrix columns must be a non-negative integer, got ${columns}`,
    );
    assert(
      data === undefined || data.length === rows * columns,
      `Matrix ${rows}×${columns} needs ${rows * columns} entries, got ${data?.length}`,
    );
    this.rows = rows;
    this.columns = columns;
    this.data = data ?? new Uint8Array(rows * columns);
  }

  /** The n×n identity matrix. */
  static identity(size: number): GfMatrix {
    const matrix = new GfMatrix(size, size);
    for (let i = 0; i < size; i++) matrix.set(i, i, 1);
    return matrix;
  }

  /** The Vandermonde matrix with entry (r, c) = r^c; any `columns` of its rows are independent (rows <= 256). */
  static vandermonde(rows: number, columns: number): GfMatrix {
    assert(rows <= 256, `A Vandermonde matrix over GF(2^8) has at most 256 distinct rows, asked for ${rows}`);
    const matrix = new GfMatrix(rows, columns);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) matrix.set(r, c, gfPow(r, c));
    }
    return matrix;
  }

  /** Entry (row, column). */
  get(row: number, column: number): number {
    return this.data[row * this.columns + column];
  }

  /** Sets entry (row, column). */
  set(row: number, column: number, value: number): void {
    this.data[row * this.columns + column] = value;
  }

  /** A view of one row's entries (shares storage with the matrix). */
  row(row: number): Uint8Array {
    return this.data.subarray(row * this.columns, (row + 1) * this.columns);
  }

  /** The product this × other. */
  multiply(other: GfMatrix): GfMatrix {
    assert(
      this.columns === other.rows,
      `Cannot multiply ${this.rows}×${this.columns} by ${other.rows}×${other.columns}`,
    );
    const product = new GfMatrix(this.rows, other.columns);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < other.columns; c++) {
        let sum = 0;
        for (let i = 0; i < this.columns; i++) sum ^= GF_MUL_TABLE[(this.get(r, i) << 8) | other.get(i, c)];
        product.set(r, c, sum);
      }
    }
    return product;
  }

  /** A new matrix made of the given rows, in the given order. */
  selectRows(rowIndexes: readonly number[]): GfMatrix {
    const selected = new GfMatrix(rowIndexes.length, this.columns);
    rowIndexes.forEach((source, target) => {
      assert(source >= 0 && source < this.rows, `Row ${source} is outside a matrix of ${this.rows} rows`);
      selected.data.set(this.row(source), target * this.columns);
    });
    return selected;
  }

  /** True when both matrices have the same shape and entries. */
  equals(other: GfMatrix): boolean {
    if (this.rows !== other.rows || this.columns !== other.columns) return false;
    return this.data.every((value, i) => value === other.data[i]);
  }

  /** The inverse, by Gauss-Jordan elimination; null when the matrix is singular. */
  invert(): GfMatrix | null {
    assert(this.rows === this.columns, `Only square matrices invert, got ${this.rows}×${this.columns}`);
    const size = this.rows;
    const work = new GfMatrix(size, size, this.data.slice());
    const inverse = GfMatrix.identity(size);
    for (let column = 0; column < size; column++) {
      const pivotRow = findPivot(work, column);
      if (pivotRow < 0) return null;
      if (pivotRow !== column) {
        swapRows(work, pivotRow, column);
        swapRows(inverse, pivotRow, column);
      }
      const scale = gfDiv(1, work.get(column, column));
      scaleRow(work, column, scale);
      scaleRow(inverse, column, scale);
      for (let row = 0; row < size; row++) {
        const factor = row === column ? 0 : work.get(row, column);
        if (factor === 0) continue;
        addScaledRow(work, column, row, factor);
        addScaledRow(inverse, column, row, factor);
      }
    }
    return inverse;
  }
}

function findPivot(matrix: GfMatrix, column: number): number {
  for (let row = column; row < matrix.rows; row++) {
    if (matrix.get(row, column) !== 0) return row;
  }
  return -1;
}

function swapRows(matrix: GfMatrix, a: number, b: number): void {
  const saved = matrix.row(a).slice();
  matrix.data.copyWithin(a * matrix.columns, b * matrix.columns, (b + 1) * matrix.columns);
  matrix.data.set(saved, b * matrix.columns);
}

function scaleRow(matrix: GfMatrix, row: number, factor: number): void {
  const entries = matrix.row(row);
  for (let i = 0; i < entries.length; i++) entries[i] = GF_MUL_TABLE[(entries[i] << 8) | factor];
}

/** Row `target` += factor × row `source`. */
function addScaledRow(matrix: GfMatrix, source: number, target: number, factor: number): void {
  const from = matrix.row(source);
  const to = matrix.row(target);
  for (let i = 0; i < to.length; i++) to[i] ^= GF_MUL_TABLE[(from[i] << 8) | factor];
}
