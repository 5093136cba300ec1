/** What the lifecycle evaluator needs to know about one stored version, from its record and its neighbours. */
import type { ObjectHead } from "../../storage/mod.ts";
import {
  type BucketVersioning,
  isLifecycleStorageClass,
  type LifecycleVersionFacts,
} from "./lifecycle_evaluator.ts";

/**
 * Facts of `versions[index]` (`versions`: one key's versions, newest first), without a last read
 * (`lastAccessMs` null): the scanner adds it from the `AccessTracker` where a rule needs it.
 */
export function versionFacts(
  head: ObjectHead,
  versions: readonly ObjectHead[],
  index: number,
  bucketVersioning: BucketVersioning,
): LifecycleVersionFacts {
  const deleteMarker = head.deleteMarker === true;
  return {
    key: head.key,
    sizeBytes: deleteMarker ? 0 : head.sizeBytes,
    tags: deleteMarker ? [] : head.tags,
    isCurrent: index === 0,
    isDeleteMarker: deleteMarker,
    lastModifiedMs: head.lastModifiedMs,
    noncurrentSinceMs: index === 0 ? null : versions[index - 1].lastModifiedMs,
    newerNoncurrentCount: Math.max(0, index - 1),
    isOnlyVersion: versions.length === 1,
    storageClass: isLifecycleStorageClass(head.storageClass) ? head.storageClass : "STANDARD",
    lastAccessMs: null,
    bucketVersioning,
  };
}
