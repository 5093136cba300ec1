/** Assertions for tests (JSR's std is not reachable here, so these wrap node:assert). */
import { deepStrictEqual } from "node:assert";
import { S3ServiceException } from "@aws-sdk/client-s3";

/** Deep, strict equality with a readable diff. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Fails unless `condition` holds. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/** Expects `action` to fail with the S3 error `code` (or HEAD's bare status name) and HTTP `status`. */
export async function assertRejectsS3(
  action: () => Promise<unknown>,
  code: string,
  status: number,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof S3ServiceException)) throw error;
    const actualStatus = error.$metadata.httpStatusCode;
    if (error.name !== code || actualStatus !== status) {
      throw new Error(`Expected ${code} (${status}), got ${error.name} (${actualStatus}): ${error.message}`);
    }
    return;
  }
  throw new Error(`Expected ${code} (${status}), but the request succeeded`);
}

/** Expects `action` to throw; returns the error. */
export async function assertRejects(
  action: () => Promise<unknown>,
  message = "expected a rejection",
): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error(message);
}

/** `size` pseudo-random bytes (crypto.getRandomValues is limited to 64 KiB per call). */
export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65_536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(size, offset + 65_536)));
  }
  return out;
}
