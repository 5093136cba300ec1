import { assert, assertEquals, assertRejects } from "../../tests/support/asserts.ts";
import { assertThrows } from "../../tests/support/throws_test_support.ts";
import { INLINE_PAGE_BYTES, isStoreError, KV_MAX_MUTATIONS } from "../core/mod.ts";
import { metaKeys } from "./keys.ts";
import { openTempCatalog, sampleBucket, sampleHead } from "./meta_test_support.ts";
import type {
  CompositeManifestPage,
  ErasureManifest,
  GcRecord,
  ObjectHead,
  UploadPartRecord,
} from "./records.ts";

const DATA_ID = "0123456789abcdef0123456789abcdef";

function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + 3) % 251;
  return bytes;
}

function gcRecord(id: string, dueAtMs: number): GcRecord {
  return { v: 1, target: "data", id, dueAtMs, reason: "deleted", workerIds: [], attempts: 0 };
}

function partRecord(uploadId: string, partNumber: number): UploadPartRecord {
  return {
    v: 1,
    uploadId,
    partNumber,
    dataId: `${partNumber}`.padStart(32, "0"),
    sizeBytes: 5 * 1024 * 1024,
    etag: `etag-${partNumber}`,
    lastModifiedMs: 1_700_000_000_000 + partNumber,
  };
}

Deno.test("MetadataCatalog getBucket() returns the bucket that putBucket() wrote", async () => {
  await using temp = await openTempCatalog();
  const bucket = sampleBucket("photos");
  assert(await temp.catalog.transaction().putBucket(bucket).commit() !== null);
  const read = await temp.catalog.getBucket("photos");
  assertEquals(read?.record, bucket);
  assert(typeof read?.versionstamp === "string" && read.versionstamp.length > 0);
});

Deno.test("MetadataCatalog getBucket() returns null for a bucket never written", async () => {
  await using temp = await openTempCatalog();
  assertEquals(await temp.catalog.getBucket("nothing-here"), null);
});

Deno.test("MetadataCatalog listBuckets() returns every bucket in name order", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (const name of ["zeta", "alpha", "mid.dle", "alpha-2"]) tx.putBucket(sampleBucket(name));
  await tx.commit();
  assertEquals((await temp.catalog.listBuckets()).map((b) => b.name), [
    "alpha",
    "alpha-2",
    "mid.dle",
    "zeta",
  ]);
});

Deno.test("MetadataCatalog getObject() returns the head that putObject() wrote, hostile key and all", async () => {
  await using temp = await openTempCatalog();
  const head = sampleHead("dir/\u0001\u0000😀 é\n/x".padEnd(300, "k"), {
    location: "composite",
    sizeBytes: 12_345_678,
    userMetadata: { "color": "blue", "emoji": "😀" },
    headers: { cacheControl: "no-cache", contentDisposition: "attachment" },
    partCount: 3,
  });
  await temp.catalog.transaction().putObject("bucket", head).commit();
  assertEquals((await temp.catalog.getObject("bucket", head.key))?.record, head);
});

Deno.test("MetadataCatalog getObject() keeps objects of different buckets apart", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putObject("one", sampleHead("k", { etag: "from-one" })).commit();
  assertEquals(await temp.catalog.getObject("two", "k"), null);
  assertEquals((await temp.catalog.getObject("one", "k"))?.record.etag, "from-one");
});

Deno.test("MetadataCatalog getObject() throws corrupt_record for a stored head of the wrong shape", async () => {
  await using temp = await openTempCatalog();
  const wrong = { ...sampleHead("k"), sizeBytes: "3" };
  await temp.store.commit([], [{ type: "set", key: metaKeys.object("bucket", "k"), value: wrong }]);
  const error = await assertRejects(() => temp.catalog.getObject("bucket", "k"));
  assert(isStoreError(error, "corrupt_record"), `expected corrupt_record, got ${error}`);
});

Deno.test("MetadataCatalog getObject() throws corrupt_record for a head of a future schema version", async () => {
  await using temp = await openTempCatalog();
  await temp.store.commit([], [{
    type: "set",
    key: metaKeys.object("bucket", "k"),
    value: { ...sampleHead("k"), v: 2 },
  }]);
  const error = await assertRejects(() => temp.catalog.getObject("bucket", "k"));
  assert(isStoreError(error, "corrupt_record"), `expected corrupt_record, got ${error}`);
});

Deno.test("MetadataCatalog getBucket() throws corrupt_record for a stored value that is not an object", async () => {
  await using temp = await openTempCatalog();
  await temp.store.commit([], [{ type: "set", key: metaKeys.bucket("b"), value: "just a string" }]);
  const error = await assertRejects(() => temp.catalog.getBucket("b"));
  assert(isStoreError(error, "corrupt_record"), `expected corrupt_record, got ${error}`);
});

Deno.test("MetadataCatalog listObjects() throws corrupt_record when a listed head has the wrong shape", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putObject("bucket", sampleHead("a")).commit();
  await temp.store.commit([], [{
    type: "set",
    key: metaKeys.object("bucket", "b"),
    value: { v: 1, key: "b" },
  }]);
  const error = await assertRejects(async () => {
    for await (const _ of temp.catalog.listObjects("bucket", {}, 10)) { /* drain */ }
  });
  assert(isStoreError(error, "corrupt_record"), `expected corrupt_record, got ${error}`);
});

Deno.test("CatalogTransaction putObject() rejects a head of the wrong shape before anything is written", async () => {
  await using temp = await openTempCatalog();
  const bad = { ...sampleHead("k"), sizeBytes: -1 } as ObjectHead;
  assertThrows(() => temp.catalog.transaction().putObject("bucket", bad));
  assertEquals(await temp.catalog.getObject("bucket", "k"), null);
});

Deno.test("CatalogTransaction commit() returns null and writes nothing when a checked versionstamp is stale", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putObject("bucket", sampleHead("k", { etag: "first" })).commit();
  const stale = (await temp.catalog.getObject("bucket", "k"))!.versionstamp;
  await temp.catalog.transaction().putObject("bucket", sampleHead("k", { etag: "second" })).commit();
  const result = await temp.catalog.transaction()
    .check(metaKeys.object("bucket", "k"), stale)
    .putObject("bucket", sampleHead("k", { etag: "third" }))
    .putObject("bucket", sampleHead("other"))
    .putBucket(sampleBucket("bucket"))
    .commit();
  assertEquals(result, null);
  assertEquals((await temp.catalog.getObject("bucket", "k"))?.record.etag, "second");
  assertEquals(await temp.catalog.getObject("bucket", "other"), null);
  assertEquals(await temp.catalog.getBucket("bucket"), null);
});

Deno.test("CatalogTransaction commit() returns null when a key checked as absent exists", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putBucket(sampleBucket("taken", { ownerId: "first" })).commit();
  const result = await temp.catalog.transaction()
    .check(metaKeys.bucket("taken"), null)
    .putBucket(sampleBucket("taken", { ownerId: "second" }))
    .commit();
  assertEquals(result, null);
  assertEquals((await temp.catalog.getBucket("taken"))?.record.ownerId, "first");
});

Deno.test("CatalogTransaction commit() applies the writes and returns the new versionstamp when checks hold", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putObject("bucket", sampleHead("k", { etag: "first" })).commit();
  const current = (await temp.catalog.getObject("bucket", "k"))!.versionstamp;
  const versionstamp = await temp.catalog.transaction()
    .check(metaKeys.object("bucket", "k"), current)
    .putObject("bucket", sampleHead("k", { etag: "second" }))
    .commit();
  assert(versionstamp !== null, "commit failed");
  const read = await temp.catalog.getObject("bucket", "k");
  assertEquals(read?.record.etag, "second");
  assertEquals(read?.versionstamp, versionstamp);
});

Deno.test("CatalogTransaction commit() of a delete removes the key", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putObject("bucket", sampleHead("k")).commit();
  await temp.catalog.transaction().delete(metaKeys.object("bucket", "k")).commit();
  assertEquals(await temp.catalog.getObject("bucket", "k"), null);
});

Deno.test("CatalogTransaction commit() refuses more mutations than one KV commit holds", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (let i = 0; i <= KV_MAX_MUTATIONS; i++) tx.delete(metaKeys.object("bucket", `k${i}`));
  assertEquals(tx.mutationCount, KV_MAX_MUTATIONS + 1);
  const error = await assertRejects(() => tx.commit());
  assert(isStoreError(error, "invalid_argument"), `expected invalid_argument, got ${error}`);
});

Deno.test("MetadataCatalog getBucketEpoch() changes each time the epoch is bumped", async () => {
  await using temp = await openTempCatalog();
  assertEquals(await temp.catalog.getBucketEpoch("b"), null);
  await temp.catalog.transaction().bumpBucketEpoch("b").commit();
  const first = await temp.catalog.getBucketEpoch("b");
  await temp.catalog.transaction().bumpBucketEpoch("b").commit();
  const second = await temp.catalog.getBucketEpoch("b");
  assert(first !== null && second !== null && first !== second, `epochs ${first} and ${second}`);
});

Deno.test("CatalogTransaction putInline() splits bytes into pages of INLINE_PAGE_BYTES that read back in order", async () => {
  await using temp = await openTempCatalog();
  const bytes = patternBytes(2 * INLINE_PAGE_BYTES + 1);
  await temp.catalog.transaction().putInline(DATA_ID, bytes).commit();
  assertEquals(await temp.catalog.countInlinePages(DATA_ID), 3);
  const pages = await temp.catalog.readInlinePages(DATA_ID, 3);
  assertEquals(pages.map((page) => page.length), [INLINE_PAGE_BYTES, INLINE_PAGE_BYTES, 1]);
  assertEquals(pages[0], bytes.subarray(0, INLINE_PAGE_BYTES));
  assertEquals(pages[1], bytes.subarray(INLINE_PAGE_BYTES, 2 * INLINE_PAGE_BYTES));
  assertEquals(pages[2], bytes.subarray(2 * INLINE_PAGE_BYTES));
});

Deno.test("CatalogTransaction putInline() of exactly INLINE_PAGE_BYTES writes one page", async () => {
  await using temp = await openTempCatalog();
  const bytes = patternBytes(INLINE_PAGE_BYTES);
  await temp.catalog.transaction().putInline(DATA_ID, bytes).commit();
  assertEquals(await temp.catalog.countInlinePages(DATA_ID), 1);
  assertEquals(await temp.catalog.readInlinePages(DATA_ID, 1), [bytes]);
});

Deno.test("CatalogTransaction putInline() of one byte writes one page", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putInline(DATA_ID, Uint8Array.of(42)).commit();
  assertEquals(await temp.catalog.readInlinePages(DATA_ID, 1), [Uint8Array.of(42)]);
});

Deno.test("MetadataCatalog readInlinePages() throws not_enough_shards when a page is missing", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putInline(DATA_ID, patternBytes(INLINE_PAGE_BYTES + 10)).commit();
  await temp.catalog.transaction().delete(metaKeys.inline(DATA_ID, 1)).commit();
  const error = await assertRejects(() => temp.catalog.readInlinePages(DATA_ID, 2));
  assert(isStoreError(error, "not_enough_shards"), `expected not_enough_shards, got ${error}`);
});

Deno.test("MetadataCatalog getErasureManifest() returns the manifest that was written", async () => {
  await using temp = await openTempCatalog();
  const manifest: ErasureManifest = {
    v: 1,
    kind: "erasure",
    dataId: DATA_ID,
    sizeBytes: 10_000_000,
    dataShards: 6,
    parityShards: 3,
    blockSizeBytes: 1024 * 1024,
    layoutEpoch: 1,
    shards: Array.from({ length: 9 }, (_, i) => ({ workerId: `w${i}`, checksum: i === 4 ? null : i * 1000 })),
  };
  await temp.catalog.transaction().putErasureManifest(manifest).commit();
  assertEquals(await temp.catalog.getErasureManifest(DATA_ID), manifest);
  assertEquals(await temp.catalog.getCompositeManifest("f".repeat(32)), null);
});

Deno.test("MetadataCatalog getErasureManifest() throws corrupt_record for a composite manifest", async () => {
  await using temp = await openTempCatalog();
  const page: CompositeManifestPage = { v: 1, kind: "composite", dataId: DATA_ID, pageCount: 1, parts: [] };
  await temp.catalog.transaction().putCompositeManifest([page]).commit();
  const error = await assertRejects(() => temp.catalog.getErasureManifest(DATA_ID));
  assert(isStoreError(error, "corrupt_record"), `expected corrupt_record, got ${error}`);
});

Deno.test("MetadataCatalog getCompositeManifest() returns every page in order", async () => {
  await using temp = await openTempCatalog();
  const pages: CompositeManifestPage[] = Array.from({ length: 12 }, (_, index) => ({
    v: 1,
    kind: "composite",
    dataId: DATA_ID,
    pageCount: 12,
    parts: [{ partNumber: index + 1, dataId: `${index}`.padStart(32, "a"), sizeBytes: 5, etag: `e${index}` }],
  }));
  await temp.catalog.transaction().putCompositeManifest(pages).commit();
  assertEquals(await temp.catalog.getCompositeManifest(DATA_ID), pages);
  assertEquals((await temp.catalog.listManifestPages(DATA_ID)).length, 12);
});

Deno.test("MetadataCatalog listDueGc() returns records due at or before now, earliest first", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (
    const [id, dueAtMs] of [["c", 300], ["late", 401], ["a", 100], ["now", 400], ["b", 200], [
      "far",
      10_000,
    ]] as const
  ) {
    tx.putGc(gcRecord(id, dueAtMs));
  }
  await tx.commit();
  const due = await temp.catalog.listDueGc(400, 100);
  assertEquals(due.map((entry) => entry.record.id), ["a", "b", "c", "now"]);
  assertEquals(due.map((entry) => entry.record.dueAtMs), [100, 200, 300, 400]);
});

Deno.test("MetadataCatalog listDueGc() orders due times numerically, not as text", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (const dueAtMs of [1_000, 9, 200, 30]) tx.putGc(gcRecord(`at-${dueAtMs}`, dueAtMs));
  await tx.commit();
  assertEquals((await temp.catalog.listDueGc(1_000, 100)).map((e) => e.record.dueAtMs), [9, 30, 200, 1_000]);
});

Deno.test("MetadataCatalog listDueGc() returns at most limit records, the earliest", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (let i = 10; i > 0; i--) tx.putGc(gcRecord(`r${i}`, i));
  await tx.commit();
  assertEquals((await temp.catalog.listDueGc(100, 3)).map((e) => e.record.dueAtMs), [1, 2, 3]);
});

Deno.test("MetadataCatalog listDueGc() returns versionstamps that guard a claim", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction().putGc(gcRecord("a", 5)).commit();
  const [entry] = await temp.catalog.listDueGc(10, 10);
  const key = metaKeys.gc(5, "a");
  assert(await temp.catalog.transaction().check(key, entry.versionstamp).delete(key).commit() !== null);
  assertEquals(await temp.catalog.transaction().check(key, entry.versionstamp).commit(), null);
});

Deno.test("MetadataCatalog listUploadParts() lists parts after the marker in numeric order", async () => {
  await using temp = await openTempCatalog();
  const tx = temp.catalog.transaction();
  for (const partNumber of [11, 2, 10, 1, 3]) tx.putUploadPart(partRecord("upload-1", partNumber));
  tx.putUploadPart(partRecord("upload-2", 4));
  await tx.commit();
  const numbers = async (after: number, limit: number) =>
    (await temp.catalog.listUploadParts("upload-1", after, limit)).map((part) => part.partNumber);
  assertEquals(await numbers(0, 100), [1, 2, 3, 10, 11]);
  assertEquals(await numbers(2, 100), [3, 10, 11]);
  assertEquals(await numbers(3, 100), [10, 11]);
  assertEquals(await numbers(2, 2), [3, 10]);
  assertEquals(await numbers(11, 100), []);
});

Deno.test("MetadataCatalog listUploadParts() returns full part records", async () => {
  await using temp = await openTempCatalog();
  const part = partRecord("upload-1", 7);
  await temp.catalog.transaction().putUploadPart(part).commit();
  assertEquals(await temp.catalog.listUploadParts("upload-1", 0, 10), [part]);
  assertEquals((await temp.catalog.getUploadPart("upload-1", 7))?.record, part);
});

Deno.test("MetadataCatalog hasObjects() and hasUploads() see only their own bucket", async () => {
  await using temp = await openTempCatalog();
  await temp.catalog.transaction()
    .putObject("with-object", sampleHead("k"))
    .putUpload({
      v: 1,
      uploadId: "u1",
      bucket: "with-upload",
      key: "k",
      initiatedMs: 1,
      contentType: "text/plain",
      userMetadata: {},
      headers: {},
      storageClass: "STANDARD",
      acl: "private",
      tags: [],
    })
    .commit();
  assertEquals(await temp.catalog.hasObjects("with-object"), true);
  assertEquals(await temp.catalog.hasObjects("with-upload"), false);
  assertEquals(await temp.catalog.hasUploads("with-upload"), true);
  assertEquals(await temp.catalog.hasUploads("with-object"), false);
  assertEquals((await temp.catalog.getUpload("with-upload", "k", "u1"))?.record.uploadId, "u1");
});
