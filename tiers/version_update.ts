/**
 * Changes one version of an object in place (its ACL or tags: PutObjectAcl and Put/DeleteObjectTagging with
 * `versionId`). One atomic catalog commit rewrites the version's record and, when that version is current,
 * the key's head too; it checks the head, the record and the null-version pointer it read, so a write,
 * delete or promotion racing it makes it retry instead of leaving the head and the record apart.
 */
import { type MetadataCatalog, metaKeys, type ObjectHead, StoreError } from "../storage/mod.ts";
import type { BucketService } from "./bucket_service.ts";
import { isVersionId } from "./versions.ts";

/** What `updateVersion` needs: the catalog, the bucket check and the head cache's observer. */
export interface VersionUpdateOptions {
  readonly catalog: MetadataCatalog;
  readonly buckets: BucketService;
  /** Told the key's new current head after a commit that changed it. */
  readonly observe: (bucket: string, key: string, head: ObjectHead | null, versionstamp: string) => void;
  /** Most commits tried before giving up with `conflict`. */
  readonly maxAttempts: number;
}

/**
 * Commits `change` of version `versionId` of `bucket/key` (`null`: the null version) and returns the new
 * record. Throws `bucket_not_found`, `version_not_found` when there is no such version, `invalid_argument`
 * for an id this store never issues, and whatever `change` throws (a caller refusing a delete marker).
 */
export async function updateVersion(
  options: VersionUpdateOptions,
  bucket: string,
  key: string,
  versionId: string,
  what: string,
  change: (head: ObjectHead) => ObjectHead,
): Promise<ObjectHead> {
  const { catalog } = options;
  if (versionId !== "null" && !isVersionId(versionId)) {
    throw new StoreError("invalid_argument", `Invalid version id specified: ${versionId}`);
  }
  await options.buckets.get(bucket);
  for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
    const current = await catalog.getObject(bucket, key);
    const nullPointer = versionId === "null" ? await catalog.getNullVersionOrder(bucket, key) : null;
    const order = versionId === "null" ? nullPointer?.record ?? null : versionId;
    const recorded = order === null ? null : await catalog.getVersion(bucket, key, order);
    const isCurrent = current !== null && current.record.versionId === versionId;
    if (recorded === null && !isCurrent) {
      throw new StoreError("version_not_found", `Version ${versionId} of ${key} does not exist`);
    }
    // The current head is the authority for the current version (as in an update without a version id).
    const head = change(isCurrent ? current.record : recorded!.record);
    const tx = catalog.transaction().check(metaKeys.object(bucket, key), current?.versionstamp ?? null);
    if (versionId === "null") tx.check(metaKeys.nullVersion(bucket, key), nullPointer?.versionstamp ?? null);
    if (recorded !== null && order !== null) {
      tx.check(metaKeys.version(bucket, key, order), recorded.versionstamp).putVersion(bucket, order, head);
    }
    if (isCurrent) tx.putObject(bucket, head);
    const committed = await tx.commit();
    if (committed !== null) {
      if (isCurrent) options.observe(bucket, key, head, committed);
      return head;
    }
  }
  throw new StoreError(
    "conflict",
    `The ${what} of version ${versionId} of ${key} lost ${options.maxAttempts} races with other writers`,
  );
}
