import { assertEquals } from "../tests/support/asserts.ts";
import { openTempCatalog } from "../storage/meta/meta_test_support.ts";
import { isStoreError, metaKeys, systemClock } from "../storage/mod.ts";
import { assertRejects } from "../tests/support/asserts.ts";
import { BucketService } from "./bucket_service.ts";

const POLICY = '{"Version":"2012-10-17","Statement":[]}';

Deno.test("BucketService getPolicy() returns what putPolicy() stored, null after deletePolicy()", async () => {
  await using temp = await openTempCatalog();
  const buckets = new BucketService({ catalog: temp.catalog, clock: systemClock, region: "us-east-1" });
  await buckets.create("site", "owner");
  assertEquals(await buckets.getPolicy("site"), null);
  await buckets.putPolicy("site", POLICY);
  assertEquals(await buckets.getPolicy("site"), { v: 1, document: POLICY });
  await buckets.deletePolicy("site");
  assertEquals(await buckets.getPolicy("site"), null);
  assertEquals(await temp.catalog.getBucketPolicy("site"), null);
});

Deno.test("BucketService getPolicy() serves a cached absence until this process commits a policy", async () => {
  await using temp = await openTempCatalog();
  const buckets = new BucketService({ catalog: temp.catalog, clock: systemClock, region: "us-east-1" });
  await buckets.create("site", "owner");
  assertEquals(await buckets.getPolicy("site"), null);
  // A write behind the service's back is not seen (single-writer cache); its own commits are.
  await temp.catalog.transaction().putBucketPolicy("site", { v: 1, document: "{}" }).commit();
  assertEquals(await buckets.getPolicy("site"), null);
  await buckets.putPolicy("site", POLICY);
  assertEquals((await buckets.getPolicy("site"))?.document, POLICY);
});

Deno.test("BucketService putPolicy() throws bucket_not_found for a missing bucket and stores nothing", async () => {
  await using temp = await openTempCatalog();
  const buckets = new BucketService({ catalog: temp.catalog, clock: systemClock, region: "us-east-1" });
  const error = await assertRejects(() => buckets.putPolicy("nowhere", POLICY));
  assertEquals(isStoreError(error, "bucket_not_found"), true);
  assertEquals(await temp.store.get(metaKeys.bucketPolicy("nowhere")), null);
});

Deno.test("BucketService delete() deletes the policy in the same commit", async () => {
  await using temp = await openTempCatalog();
  const buckets = new BucketService({ catalog: temp.catalog, clock: systemClock, region: "us-east-1" });
  await buckets.create("site", "owner");
  await buckets.putPolicy("site", POLICY);
  await buckets.delete("site");
  assertEquals(await temp.catalog.getBucketPolicy("site"), null);
  assertEquals(await buckets.getPolicy("site"), null);
});
