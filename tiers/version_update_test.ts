import { assertEquals, assertRejects } from "../tests/support/asserts.ts";
import { openTempCatalog, sampleHead } from "../storage/meta/meta_test_support.ts";
import { isStoreError, type MetadataCatalog, type ObjectHead, systemClock } from "../storage/mod.ts";
import { BucketService } from "./bucket_service.ts";
import { updateVersion, type VersionUpdateOptions } from "./version_update.ts";
import { newVersionId, nullVersionOrder } from "./versions.ts";

const OLD_ID = newVersionId(1_700_000_000_000);
const NEW_ID = newVersionId(1_700_000_001_000);

interface Fixture {
  readonly options: VersionUpdateOptions;
  readonly observed: Array<ObjectHead | null>;
}

async function fixture(catalog: MetadataCatalog): Promise<Fixture> {
  const buckets = new BucketService({ catalog, clock: systemClock, region: "us-east-1" });
  await buckets.create("site", "owner");
  const observed: Array<ObjectHead | null> = [];
  const observe = (_bucket: string, _key: string, head: ObjectHead | null) => void observed.push(head);
  return { options: { catalog, buckets, observe, maxAttempts: 8 }, observed };
}

/** Two versions of `k`: OLD_ID (noncurrent) and NEW_ID (current). */
async function twoVersions(catalog: MetadataCatalog): Promise<void> {
  const current = sampleHead("k", { versionId: NEW_ID });
  await catalog.transaction()
    .putVersion("site", OLD_ID, sampleHead("k", { versionId: OLD_ID }))
    .putVersion("site", NEW_ID, current)
    .putObject("site", current)
    .commit();
}

Deno.test("updateVersion() changes a noncurrent version's record and leaves the current head alone", async () => {
  await using temp = await openTempCatalog();
  const { options, observed } = await fixture(temp.catalog);
  await twoVersions(temp.catalog);
  const tags = [{ key: "a", value: "1" }];
  const updated = await updateVersion(options, "site", "k", OLD_ID, "tags", (head) => ({ ...head, tags }));
  assertEquals(updated.tags, tags);
  assertEquals((await temp.catalog.getVersion("site", "k", OLD_ID))?.record.tags, tags);
  assertEquals((await temp.catalog.getVersion("site", "k", NEW_ID))?.record.tags, []);
  assertEquals((await temp.catalog.getObject("site", "k"))?.record.tags, []);
  assertEquals(observed, []);
});

Deno.test("updateVersion() of the current version changes its record and the head, and tells the cache", async () => {
  await using temp = await openTempCatalog();
  const { options, observed } = await fixture(temp.catalog);
  await twoVersions(temp.catalog);
  const updated = await updateVersion(options, "site", "k", NEW_ID, "ACL", (head) => ({
    ...head,
    acl: "public-read",
  }));
  assertEquals((await temp.catalog.getVersion("site", "k", NEW_ID))?.record.acl, "public-read");
  assertEquals((await temp.catalog.getObject("site", "k"))?.record.acl, "public-read");
  assertEquals((await temp.catalog.getVersion("site", "k", OLD_ID))?.record.acl, "private");
  assertEquals(observed, [updated]);
});

Deno.test("updateVersion() of `null` updates an unrecorded null current head, or the null version's record", async () => {
  await using temp = await openTempCatalog();
  const { options } = await fixture(temp.catalog);
  await temp.catalog.transaction().putObject("site", sampleHead("plain", { versionId: "null" })).commit();
  await updateVersion(options, "site", "plain", "null", "ACL", (head) => ({ ...head, acl: "public-read" }));
  assertEquals((await temp.catalog.getObject("site", "plain"))?.record.acl, "public-read");

  const order = nullVersionOrder(1_600_000_000_000);
  await temp.catalog.transaction()
    .putVersion("site", order, sampleHead("old", { versionId: "null" }))
    .commit();
  await updateVersion(options, "site", "old", "null", "ACL", (head) => ({ ...head, acl: "public-read" }));
  assertEquals((await temp.catalog.getVersion("site", "old", order))?.record.acl, "public-read");
  assertEquals(await temp.catalog.getObject("site", "old"), null);
});

Deno.test("updateVersion() throws version_not_found for an unknown id and invalid_argument for a bad one", async () => {
  await using temp = await openTempCatalog();
  const { options } = await fixture(temp.catalog);
  await twoVersions(temp.catalog);
  const unknown = await assertRejects(() =>
    updateVersion(options, "site", "k", newVersionId(1_800_000_000_000), "tags", (head) => head)
  );
  assertEquals(isStoreError(unknown, "version_not_found"), true);
  const missingNull = await assertRejects(() =>
    updateVersion(options, "site", "k", "null", "tags", (h) => h)
  );
  assertEquals(isStoreError(missingNull, "version_not_found"), true);
  const bad = await assertRejects(() => updateVersion(options, "site", "k", "nope", "tags", (head) => head));
  assertEquals(isStoreError(bad, "invalid_argument"), true);
});

Deno.test("updateVersion() passes on what `change` throws and commits nothing", async () => {
  await using temp = await openTempCatalog();
  const { options } = await fixture(temp.catalog);
  await twoVersions(temp.catalog);
  const refused = new Error("refused");
  const error = await assertRejects(() =>
    updateVersion(options, "site", "k", OLD_ID, "tags", () => {
      throw refused;
    })
  );
  assertEquals(error, refused);
  assertEquals((await temp.catalog.getVersion("site", "k", OLD_ID))?.record.tags, []);
});
