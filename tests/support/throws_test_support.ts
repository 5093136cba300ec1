/** Test-only companion of `asserts.ts` for code that throws synchronously (parsers, constructors). */

/** Expects `action` to throw synchronously; returns what it threw. */
export function assertThrows(action: () => unknown, message = "expected a throw"): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error(message);
}
