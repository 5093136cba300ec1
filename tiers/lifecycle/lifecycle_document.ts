/**
 * A lifecycle configuration as PutBucketLifecycleConfiguration stored it: the rules of the contract
 * (`lifecycle_rules.ts`) plus what GetBucketLifecycleConfiguration needs to answer in the form the owner
 * used. A `LifecycleDocument` is a `LifecycleConfiguration`, so the evaluator reads it unchanged.
 */
import type { LifecycleConfiguration, LifecycleRule } from "./lifecycle_rules.ts";

/** A rule, and whether it came with the legacy top-level `<Prefix>` rather than a `<Filter>`. */
export interface LifecycleDocumentRule extends LifecycleRule {
  /** True when the rule was sent as `<Rule><Prefix>…</Prefix>` (S3 answers it in that form too). */
  readonly legacyPrefix?: boolean;
}

/** A bucket's lifecycle configuration as stored and answered. */
export interface LifecycleDocument extends LifecycleConfiguration {
  readonly rules: readonly LifecycleDocumentRule[];
}
