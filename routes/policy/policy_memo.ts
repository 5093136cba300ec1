/**
 * Compiled policies, remembered per stored record so a request does not parse JSON again. Keyed
 * weakly by the record object the bucket cache hands out: when the cache drops or replaces a record,
 * its compiled form goes with it, so the memo never outgrows the cache nor serves a stale policy.
 */
import { S3Error } from "../s3_errors.ts";
import { type BucketPolicy, parseBucketPolicy } from "./policy_document.ts";

/** A stored policy: the document text as the owner sent it. */
export interface StoredPolicy {
  readonly document: string;
}

/** Compiles stored policies once per record object. One per gateway app. */
export class PolicyMemo {
  readonly #compiled = new WeakMap<StoredPolicy, BucketPolicy>();

  /** The compiled policy of `bucket` stored as `record`. */
  compiled(bucket: string, record: StoredPolicy): BucketPolicy {
    let policy = this.#compiled.get(record);
    if (policy === undefined) {
      try {
        policy = parseBucketPolicy(record.document, bucket);
      } catch (error) {
        // It was validated when stored, so this is corruption or a change of rules: a fault, not the caller's.
        throw new S3Error("InternalError", "The stored bucket policy cannot be parsed", {}, { cause: error });
      }
      this.#compiled.set(record, policy);
    }
    return policy;
  }
}
