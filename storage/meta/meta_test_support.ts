/**
 * Helpers for tests only (never imported by production code): a metadata catalog on a real Deno KV
 * file in a fresh temp directory, which `await using` closes and deletes, and valid sample records.
 */
import { MetadataCatalog } from "./catalog.ts";
import { KvMetaStore } from "./kv_meta_store.ts";
import type { BucketRecord, ObjectHead } from "./records.ts";

/** A catalog on a temp KV file; disposing it closes the store and deletes the directory. */
export interface TempCatalog extends AsyncDisposable {
  readonly catalog: MetadataCatalog;
  readonly store: KvMetaStore;
  /** Path of the KV file. */
  readonly path: string;
}

/** Opens a catalog on a new KV file in a fresh temp directory. */
export async function openTempCatalog(): Promise<TempCatalog> {
  const dir = await Deno.makeTempDir({ prefix: "objstore_meta_test_" });
  const path = `${dir}/meta.kv`;
  const store = await KvMetaStore.open(path);
  return {
    catalog: new MetadataCatalog(store),
    store,
    path,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A valid bucket record. */
export function sampleBucket(name: string, overrides: Partial<BucketRecord> = {}): BucketRecord {
  return {
    v: 1,
    name,
    ownerId: "owner-1",
    region: "us-east-1",
    createdMs: 1_700_000_000_000,
    acl: "private",
    tags: [],
    cors: [],
    versioning: "Unversioned",
    ...overrides,
  };
}

/** A valid object head for `key`. */
export function sampleHead(key: string, overrides: Partial<ObjectHead> = {}): ObjectHead {
  return {
    v: 1,
    key,
    versionId: "version-1",
    dataId: "0123456789abcdef0123456789abcdef",
    location: "inline",
    sizeBytes: 3,
    etag: "900150983cd24fb0d6963f7d28e17f72",
    lastModifiedMs: 1_700_000_000_000,
    contentType: "application/octet-stream",
    userMetadata: {},
    headers: {},
    storageClass: "STANDARD",
    acl: "private",
    tags: [],
    ...overrides,
  };
}
