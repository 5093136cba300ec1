/**
 * Conditional writes (`If-Match` / `If-None-Match: *` on PutObject and CompleteMultipartUpload, `If-Match`
 * on DeleteObject): the condition a write carries and its evaluation against the key's current head. The
 * object service evaluates it inside its commit loop, against the head whose versionstamp the commit
 * checks, so two racing conditional writers can never both win.
 */
import { type ObjectHead, StoreError } from "../storage/mod.ts";

/** What a write requires of the key's current version; an empty object requires nothing. */
export interface WriteCondition {
  /** The current object's ETag (without quotes), or `*` for "any object exists". */
  readonly ifMatch?: string;
  /** `*`: the key must not exist. */
  readonly ifNoneMatch?: "*";
  /**
   * The current object's data id (internal, never from a request): background work such as lifecycle acts
   * only on the very write it judged, which an ETag cannot tell apart from a rewrite of the same bytes.
   */
  readonly ifDataId?: string;
}

/** The condition of an unconditional write. */
export const NO_CONDITION: WriteCondition = {};

/**
 * Throws unless `current` (null: the key is absent) meets `condition`: `object_not_found` for an
 * `If-Match` on a missing key (S3 answers 404), `precondition_failed` for anything else that does not hold.
 */
export function checkWriteCondition(
  condition: WriteCondition,
  current: ObjectHead | null,
  bucket: string,
  key: string,
): void {
  if (condition.ifNoneMatch === "*" && current !== null) {
    throw new StoreError(
      "precondition_failed",
      `Object ${key} already exists in ${bucket} (If-None-Match: *)`,
    );
  }
  if (condition.ifDataId !== undefined && current?.dataId !== condition.ifDataId) {
    throw new StoreError(
      "precondition_failed",
      `Object ${key} in ${bucket} is no longer the write ${condition.ifDataId} (it changed meanwhile)`,
    );
  }
  if (condition.ifMatch === undefined) return;
  if (current === null) {
    throw new StoreError("object_not_found", `Object ${key} does not exist in ${bucket}`);
  }
  if (condition.ifMatch !== "*" && condition.ifMatch !== current.etag) {
    throw new StoreError(
      "precondition_failed",
      `The ETag of ${key} is "${current.etag}", not "${condition.ifMatch}" (If-Match)`,
    );
  }
}
