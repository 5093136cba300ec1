/**
 * S3's archive semantics on reads: GLACIER and DEEP_ARCHIVE objects are not readable (`InvalidObjectState`)
 * until RestoreObject has made a temporary copy, which GET then reads; `x-amz-restore` tells the state.
 */
import type { ObjectHead } from "../storage/mod.ts";
import { needsRestore } from "../tiers/mod.ts";
import type { RequestContext } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";

/** Throws InvalidObjectState (403) when `head`'s bytes may not be read in its storage class. */
export function checkReadableStorageClass(head: ObjectHead): void {
  if (!needsRestore(head.storageClass)) return;
  throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", {
    StorageClass: head.storageClass,
  });
}

/**
 * The head whose data a read of `head` streams: `head` itself, or for an archived object its restored copy;
 * throws InvalidObjectState when an archived object has no live copy.
 */
export function readableData(ctx: RequestContext, head: ObjectHead): ObjectHead {
  if (!needsRestore(head.storageClass)) return head;
  const restored = ctx.services.restores.restoredView(head, ctx.services.nowMs());
  if (restored === null) checkReadableStorageClass(head);
  return restored!;
}

/** The `x-amz-restore` header value for `head`, or null when it was never restored. */
export function restoreHeader(head: ObjectHead): string | null {
  const restore = head.restore;
  if (restore === undefined) return null;
  if (restore.ongoing || restore.expiresMs === undefined) return 'ongoing-request="true"';
  return `ongoing-request="false", expiry-date="${new Date(restore.expiresMs).toUTCString()}"`;
}
