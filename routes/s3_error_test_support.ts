/** Test-only companion for route helpers that throw `S3Error`s synchronously (parsers, validators). */
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { S3Error } from "./s3_errors.ts";

/** Expects `action` to throw; returns the S3 error code it threw (or the text of anything else thrown). */
export function thrownS3Code(action: () => unknown): string {
  const error = assertThrows(action);
  return error instanceof S3Error ? error.code : String(error);
}
