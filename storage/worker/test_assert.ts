/**
 * Tiny assertions for the worker tests, built on `node:assert/strict` (a Deno built-in, so the tests
 * need no remote module). `assertRejects` returns the error so a test can check its `kind`.
 */

import { deepStrictEqual, fail, ok } from "node:assert/strict";

/** Deep strict equality (typed arrays compared byte by byte). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Truthiness. */
export function assert(condition: unknown, message?: string): asserts condition {
  ok(condition, message);
}

/** Asserts that `fn` throws, and returns what it threw. */
export function assertThrows(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  fail("Expected the function to throw");
}

/** Asserts that `fn` rejects with an instance of `errorClass` whose message contains `includes`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  errorClass: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    ok(error instanceof errorClass, `Expected ${errorClass.name}, got ${String(error)}`);
    if (includes !== undefined) {
      ok(
        error.message.includes(includes),
        `Expected a message containing "${includes}", got "${error.message}"`,
      );
    }
    return error;
  }
  fail(`Expected a rejection with ${errorClass.name}`);
}
