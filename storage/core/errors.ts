/**
 * Operating errors of the store. A bug is an assertion (`assert`); a condition the caller can meet in
 * normal operation (a missing bucket, a worker that refused a shard) is a `StoreError` with a `kind`.
 * The routes layer owns the one exhaustive map from kinds to S3 error codes.
 */

/** Every kind of operating error the storage and tier layers raise. */
export type StoreErrorKind =
  | "bucket_not_found"
  | "bucket_exists"
  | "bucket_not_empty"
  | "object_not_found"
  | "version_not_found"
  | "upload_not_found"
  | "invalid_part"
  | "invalid_part_order"
  | "entity_too_small"
  | "entity_too_large"
  | "precondition_failed"
  | "invalid_argument"
  | "invalid_storage_class"
  | "invalid_object_state"
  | "restore_in_progress"
  | "bad_digest"
  | "incomplete_body"
  | "quorum_not_met"
  | "not_enough_shards"
  | "corrupt_block"
  | "corrupt_record"
  | "disk_full"
  | "shard_not_found"
  | "unauthorized"
  | "conflict"
  | "unavailable";

/** An operating error with a machine-readable `kind` and a message that carries the numbers. */
export class StoreError extends Error {
  /** What went wrong, for the error map in `routes/`. */
  readonly kind: StoreErrorKind;

  constructor(kind: StoreErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.kind = kind;
  }
}

/** Raised by `assert`: a broken invariant, i.e. a bug, never an operating condition. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Throws an `AssertionError` when `condition` is false. Use for invariants, not for input validation. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** True when `error` is a `StoreError`, optionally of the given kind. */
export function isStoreError(error: unknown, kind?: StoreErrorKind): error is StoreError {
  return error instanceof StoreError && (kind === undefined || error.kind === kind);
}
