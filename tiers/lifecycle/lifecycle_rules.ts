/**
 * A bucket's lifecycle configuration as the store keeps it: the AWS lifecycle configuration (rules with a
 * filter, expiration, transitions, noncurrent-version actions and abort of incomplete multipart uploads),
 * parsed and validated from S3 XML, plus our extension `NotAccessedTransition` (move objects not read for N
 * days to another storage class, as S3 Intelligent-Tiering does by itself). Dates are ISO 8601 strings at
 * midnight UTC, as S3 requires; day counts are whole days (the length of a day is a setting).
 */

import { TRANSITION_STORAGE_CLASSES } from "../../storage/mod.ts";

/** Storage classes a lifecycle rule may move objects to (the list the stored records validate against). */
export { TRANSITION_STORAGE_CLASSES };
/** A storage class a lifecycle rule may move objects to. */
export type TransitionStorageClass = typeof TRANSITION_STORAGE_CLASSES[number];

/** One object tag a filter matches (key and value both equal). */
export interface LifecycleTag {
  readonly key: string;
  readonly value: string;
}

/**
 * Which objects a rule applies to: every condition present must hold (a `<Filter>` with `<And>` and the
 * single-condition forms both become this). An empty filter matches every object of the bucket.
 */
export interface LifecycleFilter {
  readonly prefix?: string;
  readonly tags?: readonly LifecycleTag[];
  /** Size in bytes the object must exceed. */
  readonly objectSizeGreaterThan?: number;
  /** Size in bytes the object must stay below. */
  readonly objectSizeLessThan?: number;
}

/** When current versions expire: after `days`, on `date`, or (alone) removal of expired delete markers. */
export interface LifecycleExpiration {
  readonly days?: number;
  /** ISO 8601 date at midnight UTC, e.g. `2027-01-01T00:00:00.000Z`. */
  readonly date?: string;
  readonly expiredObjectDeleteMarker?: boolean;
}

/** A move of current versions to another storage class after `days` or on `date` (exactly one is set). */
export interface LifecycleTransition {
  readonly days?: number;
  readonly date?: string;
  readonly storageClass: TransitionStorageClass;
}

/** Expiry of noncurrent versions `noncurrentDays` after they became noncurrent, keeping the newest ones. */
export interface NoncurrentVersionExpiration {
  readonly noncurrentDays: number;
  /** How many newer noncurrent versions to keep regardless of age. */
  readonly newerNoncurrentVersions?: number;
}

/** A move of noncurrent versions to another storage class. */
export interface NoncurrentVersionTransition {
  readonly noncurrentDays: number;
  readonly newerNoncurrentVersions?: number;
  readonly storageClass: TransitionStorageClass;
}

/** Our extension: current versions not read for `days` move to `storageClass`. */
export interface NotAccessedTransition {
  readonly days: number;
  readonly storageClass: TransitionStorageClass;
}

/** One lifecycle rule. */
export interface LifecycleRule {
  /** Unique within the configuration, at most 255 characters (S3 generates one when absent). */
  readonly id: string;
  readonly status: "Enabled" | "Disabled";
  readonly filter: LifecycleFilter;
  readonly expiration?: LifecycleExpiration;
  /** Ordered by days (or date), as AWS requires them to be consistent. */
  readonly transitions: readonly LifecycleTransition[];
  readonly noncurrentVersionExpiration?: NoncurrentVersionExpiration;
  readonly noncurrentVersionTransitions: readonly NoncurrentVersionTransition[];
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
  readonly notAccessedTransition?: NotAccessedTransition;
}

/** A bucket's lifecycle configuration: 1 to 1000 rules. */
export interface LifecycleConfiguration {
  readonly rules: readonly LifecycleRule[];
}
