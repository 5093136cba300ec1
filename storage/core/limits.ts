/**
 * Hard limits of the store, with units in their names. Relations between them are asserted at load,
 * so a wrong edit fails at start-up rather than in production.
 */
import { assert } from "./errors.ts";

/** Largest object a single PutObject accepts (as S3: 5 GiB). */
export const MAX_PUT_OBJECT_BYTES = 5 * 1024 ** 3;
/** Largest object a multipart upload may produce (as S3: 5 TiB). */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 4;
/** Largest single part of a multipart upload (as S3: 5 GiB). */
export const MAX_PART_BYTES = 5 * 1024 ** 3;
/** Smallest part other than the last (as S3: 5 MiB). */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
/** Highest part number (as S3). */
export const MAX_PART_NUMBER = 10_000;
/** Longest object key in UTF-8 bytes (as S3). */
export const MAX_KEY_BYTES = 1024;
/** Most keys one listing page returns (as S3). */
export const MAX_LIST_KEYS = 1000;
/** Total size of user metadata (`x-amz-meta-*`) names and values (as S3: 2 KiB). */
export const MAX_USER_METADATA_BYTES = 2048;
/** Largest value Deno KV stores; records and pages stay below it. */
export const KV_MAX_VALUE_BYTES = 65_536;
/** Bytes of one inline page: below the KV value limit with room for the envelope. */
export const INLINE_PAGE_BYTES = 60 * 1024;
/** Most mutations in one atomic metadata commit (Deno KV's limit). */
export const KV_MAX_MUTATIONS = 1000;
/** Largest shard block the workers accept. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
/** Largest XML request body (CompleteMultipartUpload with 10,000 parts fits). */
export const MAX_XML_BODY_BYTES = 2 * 1024 * 1024;
/** Allowed clock skew of signed requests (as S3: 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

assert(INLINE_PAGE_BYTES < KV_MAX_VALUE_BYTES, "an inline page must fit in one KV value");
assert(MIN_PART_BYTES <= MAX_PART_BYTES, "the minimum part size must not exceed the maximum");
assert(MAX_PUT_OBJECT_BYTES <= MAX_OBJECT_BYTES, "a single PUT cannot exceed the object limit");
