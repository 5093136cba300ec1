/** S3's InvalidObjectState: GLACIER and DEEP_ARCHIVE objects are not readable until restored. */
import type { ObjectHead } from "../storage/mod.ts";
import { needsRestore } from "../tiers/mod.ts";
import { S3Error } from "./s3_errors.ts";

/** Throws InvalidObjectState (403) when `head`'s bytes may not be read in its storage class. */
export function checkReadableStorageClass(head: ObjectHead): void {
  if (!needsRestore(head.storageClass)) return;
  throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", {
    StorageClass: head.storageClass,
  });
}
