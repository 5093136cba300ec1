/**
 * `x-amz-expiration` on GET and HEAD: when a lifecycle rule of the bucket will expire the current version,
 * S3 says when and by which rule. Synchronous when the bucket's configuration is cached (the usual case), so
 * the hot GET path pays nothing for buckets without rules.
 */
import type { BucketRecord, ObjectHead } from "../storage/mod.ts";
import {
  type BucketVersioning,
  expirationHeaderOf,
  type LifecycleDocument,
  versionFacts,
} from "../tiers/lifecycle/mod.ts";
import type { RequestContext } from "./request_context.ts";

/** The header value for `head` (a current version when `isCurrent`), or null when no rule expires it. */
export function expirationHeader(
  ctx: RequestContext,
  bucket: BucketRecord,
  head: ObjectHead,
  isCurrent: boolean,
): string | null | Promise<string | null> {
  if (!isCurrent) return null;
  const found = ctx.services.buckets.getLifecycle(bucket.name);
  return found instanceof Promise
    ? found.then((configuration) => headerOf(configuration, bucket, head, ctx.services.lifecycleDayMs))
    : headerOf(found, bucket, head, ctx.services.lifecycleDayMs);
}

function headerOf(
  configuration: LifecycleDocument | null,
  bucket: BucketRecord,
  head: ObjectHead,
  dayMs: number,
): string | null {
  if (configuration === null) return null;
  const facts = versionFacts(head, [head], 0, bucket.versioning as BucketVersioning);
  return expirationHeaderOf(configuration, facts, dayMs);
}
